# standin in a container: the four fake vendor APIs on their default ports.
#
# The image holds one statically linked binary and nothing else, so it builds offline and
# pulls no base image. Build the binary first, then the image (scripts/build-image does both):
#   scripts/build-static      # target/x86_64-unknown-linux-gnu/release/standin
#   docker build -t standin:latest .     (or: podman build --format docker -t standin:latest .)
# Run:
#   docker run --rm -p 8060:8060 -p 8090:8090 -p 7272:7272 -p 8080:8080 standin:latest
FROM scratch
COPY target/x86_64-unknown-linux-gnu/release/standin /usr/local/bin/standin
# WORKDIR creates the directory of the ready file (the image has no shell to mkdir it).
WORKDIR /run/standin
# Listen on every interface, so published ports reach the products.
ENV STANDIN_BIND=0.0.0.0
# The control API (/_standin/...) answers loopback callers and these networks without a
# token: the private ranges a published port's traffic arrives from (the host through the
# container bridge, a CI job's service network). Set STANDIN_CONTROL_TOKEN to admit other
# callers with Authorization: Bearer <token>, or replace this list.
ENV STANDIN_CONTROL_ALLOW=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7,fe80::/10
# Written once every listener is bound; `standin healthcheck` reads the same variable.
ENV STANDIN_READY_FILE=/run/standin/ready.json
# OpManager, ServiceOps, Password Manager Pro (HTTPS), Ops Manager.
EXPOSE 8060 8090 7272 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
  CMD ["/usr/local/bin/standin", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/standin"]
