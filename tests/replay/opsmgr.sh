# Replay corpus for opsmgr: recorded from docs/opsmgr.md at af0decb (its shell examples, in page order),
# then refusals. Run by scripts/replay; $STANDIN_URL is the instance's base URL.

U=qzvhwmtx:9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3
B=$STANDIN_URL/api/public/v1.0
curl --digest --user qzvhwmtx:9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3 \
  "$STANDIN_URL/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys?pretty=true"

curl --digest -u "$U" "$B/orgs?pretty=true"
curl --digest -u "$U" "$B/orgs/5953c5f380eef53887615f99/groups"

curl --digest -u "$U" "$B/groups/byName/Acme%20Production"
curl --digest -u "$U" -H 'Content-Type: application/json' -X POST "$B/groups" \
  -d '{"name":"Staging","orgId":"5953c5f380eef53887615f99"}'

curl --digest -u "$U" -H 'Content-Type: application/json' -X POST \
  "$B/orgs/5953c5f380eef53887615f99/apiKeys" -d '{"desc":"CI","roles":["ORG_MEMBER"]}'
curl --digest -u "$U" -H 'Content-Type: application/json' -X PATCH \
  "$B/orgs/5953c5f380eef53887615f99/apiKeys/{ID}" -d '{"desc":"renamed"}'
curl --digest -u "$U" -X DELETE "$B/orgs/5953c5f380eef53887615f99/apiKeys/{ID}"

curl --digest -u "$U" -H 'Content-Type: application/json' -X POST \
  "$B/groups/5953c5f380eef53887615f9a/apiKeys" -d '{"desc":"deployer","roles":["GROUP_OWNER"]}'
curl --digest -u "$U" -H 'Content-Type: application/json' -X POST --include \
  "$B/groups/5953c5f380eef53887615f9a/apiKeys/5d1d12c087d9d63e6d682438" -d '{"roles":["GROUP_OWNER"]}'
curl --digest -u "$U" -X DELETE "$B/groups/5953c5f380eef53887615f9a/apiKeys/{ID}"

curl --digest -u "$U" -H 'Content-Type: application/json' -X POST \
  "$B/orgs/5953c5f380eef53887615f99/apiKeys/5d1d12c087d9d63e6d682438/accessList" \
  -d '[{"ipAddress":"77.54.32.11"},{"cidrBlock":"192.0.2.0/24"}]'
curl --digest -u "$U" "$B/orgs/5953c5f380eef53887615f99/apiKeys/5d1d12c087d9d63e6d682438/accessList/192.0.2.0%2F24"
curl --digest -u "$U" -X DELETE "$B/orgs/5953c5f380eef53887615f99/apiKeys/5d1d12c087d9d63e6d682438/whitelist/77.54.32.11"

curl --digest -u "owner@acme.example:1f6e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" \
  "$B/users/5953c5f380eef53887615f9b/accessList"

# Refusals
curl -i "$B/groups/5953c5f380eef53887615f9a/apiKeys"
curl --digest -u qzvhwmtx:wrong-private-key "$B/groups/5953c5f380eef53887615f9a/apiKeys"
curl --digest -u nobody:9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3 "$B/orgs"
curl --digest -u "$U" "$B/groups/000000000000000000000000"
curl --digest -u "$U" "$B/groups/not-an-id"
curl --digest -u "$U" "$B/orgs/5953c5f380eef53887615f99/apiKeys?itemsPerPage=0"
curl --digest -u "$U" "$B/orgs/5953c5f380eef53887615f99/apiKeys?pageNum=abc"
curl --digest -u "$U" -H 'Content-Type: application/json' -X POST "$B/orgs/5953c5f380eef53887615f99/apiKeys" -d '{not json'
curl --digest -u "$U" -H 'Content-Type: application/json' -X POST "$B/orgs/5953c5f380eef53887615f99/apiKeys" -d '{"desc":"x","roles":["NOT_A_ROLE"]}'
curl --digest -u "$U" -H 'Content-Type: application/json' -X POST "$B/orgs/5953c5f380eef53887615f99/apiKeys/5d1d12c087d9d63e6d682438/accessList" -d '[{"cidrBlock":"300.1.1.1/99"}]'
curl --digest -u "$U" -X PUT "$B/orgs"
curl --digest -u "$U" "$B/nothing/here"
curl --digest -u "$U" "$B/orgs/5953c5f380eef53887615f99/apiKeys?pretty=true&envelope=true"

# OPTIONS, plain and as a browser preflight: without --cors the vendor's answer, no CORS header
curl  -X OPTIONS "$STANDIN_URL/api/public/v1.0/orgs"
curl  -X OPTIONS -H 'Origin: http://dashboard.example:3000' -H 'Access-Control-Request-Method: POST' \
  -H 'Access-Control-Request-Headers: content-type' "$STANDIN_URL/api/public/v1.0/orgs"
curl  -X OPTIONS -H 'Origin: http://dashboard.example:3000' -H 'Access-Control-Request-Method: POST' "$STANDIN_URL/_standin/clock"
curl  -H 'Origin: http://dashboard.example:3000' "$STANDIN_URL/no/such/path"

# Agents (the agents the fixture hosts imply) and the oplog window in seconds
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/agents"
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/agents/MONITORING?pretty=true"
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/agents/AUTOMATION?itemsPerPage=2&pageNum=2"
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/agents/BACKUP?envelope=true"
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/agents/monitoring"
curl --digest -u "$U" "$B/groups/5e2211c17a3e5a48f5497d02/agents/MONITORING"
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/hosts/a1b2c3d4e5f60718293a4b5c6d7e8f01/measurements?granularity=PT5M&period=PT10M&m=OPLOG_MASTER_TIME"

# Backup configurations (every cluster INACTIVE), a user's roles replaced and a user removed
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/backupConfigs?pretty=true"
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/backupConfigs/5953c5f380eef53887615fa1"
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/backupConfigs/5953c5f380eef53887615fa2"
curl --digest -u "$U" -H 'Content-Type: application/json' -X PATCH "$B/users/5953c5f380eef53887615f9b" \
  -d '{"roles":[{"orgId":"5953c5f380eef53887615f99","roleName":"ORG_OWNER"},{"groupId":"5953c5f380eef53887615f9a","roleName":"GROUP_READ_ONLY"}]}'
curl --digest -u "$U" -H 'Content-Type: application/json' -X PATCH "$B/users/5953c5f380eef53887615f9b" \
  -d '{"roles":[{"roleName":"GLOBAL_OWNER"}]}'
curl --digest -u "$U" -H 'Content-Type: application/json' -X PATCH "$B/users/5953c5f380eef53887615f9b" -d '{}'
curl --digest -u "$U" -X DELETE "$B/users/5953c5f380eef53887615f9b"
curl --digest -u "admin@acme.example:7e3a9c1f-2b4d-4f6e-8a0c-3d5b7f9e1a2c" -X DELETE --include "$B/users/5953c5f380eef53887615f9b"
curl --digest -u "admin@acme.example:7e3a9c1f-2b4d-4f6e-8a0c-3d5b7f9e1a2c" "$B/users/5953c5f380eef53887615f9b"

# Injected faults: the vendor's own body for each status a `status` fault sets (docs/opsmgr.md),
# bodiless 204/304, and a rate limit's 429 with Retry-After
for status in 400 401 403 404 405 429 500 502 503 504 204 304; do
  curl -s -X POST "$STANDIN_URL/_standin/faults" -d '{"path":"/api/public/v1.0/orgs","times":1,"action":"status","status":'$status'}'
  curl -s "$STANDIN_URL/api/public/v1.0/orgs"
done
curl -s -X POST "$STANDIN_URL/_standin/rate-limits" -d '{"per":"ip","capacity":1,"refill_per_sec":0.01}'
curl -s "$STANDIN_URL/api/public/v1.0/orgs"
curl -s "$STANDIN_URL/api/public/v1.0/orgs"
curl -s -X DELETE "$STANDIN_URL/_standin/rate-limits"

# Teams' roles on a project
curl --digest -u "$U" -H 'Content-Type: application/json' -X POST "$B/groups/5953c5f380eef53887615f9a/teams" \
  -d '[{"teamId":"5953c5f380eef53887615ff0","roleNames":["GROUP_READ_ONLY"]}]'
curl --digest -u "$U" -H 'Content-Type: application/json' -X POST "$B/groups/5953c5f380eef53887615f9a/teams" \
  -d '[{"teamId":"5953c5f380eef53887615ff0","roleNames":["ORG_OWNER"]}]'
curl --digest -u "$U" -H 'Content-Type: application/json' -X PATCH \
  "$B/groups/5953c5f380eef53887615f9a/teams/5953c5f380eef53887615ff0" -d '{"roleNames":["GROUP_MONITORING_ADMIN"]}'
curl --digest -u "$U" "$B/groups/5953c5f380eef53887615f9a/teams?pretty=true"
curl --digest -u "$U" -X DELETE "$B/groups/5953c5f380eef53887615f9a/teams/5953c5f380eef53887615ff0"
curl --digest -u "$U" -X DELETE "$B/groups/5953c5f380eef53887615f9a/teams/5953c5f380eef53887615ff0"
