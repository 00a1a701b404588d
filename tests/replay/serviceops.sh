# Replay corpus for serviceops: recorded from docs/serviceops.md at af0decb (its shell examples, in page order),
# then refusals. Run by scripts/replay; $STANDIN_URL is the instance's base URL.

U=$STANDIN_URL
curl --request POST --url "$U/api/oauth/token" \
  --header 'Authorization: Basic bWFpbi13ZWItYXBwLWNsaWVudDptYWluLXdlYi1hcHAtc2VjcmV0' \
  --header 'content-type: multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW' \
  --form username=tim@acme.com --form password=123 --form grant_type=password

curl -s -u main-web-app-client:main-web-app-secret "$U/api/oauth/token" \
  -d grant_type=refresh_token -d refresh_token="$REFRESH"

T=$(curl -s -u main-web-app-client:main-web-app-secret "$U/api/oauth/token" \
      -F username=tim@acme.com -F password=123 -F grant_type=password | jq -r .access_token)
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/request" \
  -d '{"subject":"Email Server is Down","requesterEmail":"paulsn","priorityName":"High"}'
curl -s -H "Authorization: Bearer $T" "$U/api/v1/request/65"
curl -s -H 'Authorization: Apikey s%2Bi32Ao54bKfFwiK%40XKDM5D2XNQpe4i%2FUB3eK8mWOcseqp3rDyaQ%3D' "$U/api/v1/request/65"
curl -s -X PATCH -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
  "$U/api/v1/request/65" -d '{"statusName":"In Progress"}'
curl -s -X DELETE -H "Authorization: Bearer $T" "$U/api/v1/request/65"
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
  "$U/api/v1/request/search/byqual?offset=0&size=10" -d '{"qualDetails":{"type":"FlatQualificationRest","quals":[
   {"type":"RelationalQualificationRest","leftOperand":{"type":"PropertyOperandRest","key":"request.subject"},
    "operator":"equal","rightOperand":{"type":"ValueOperandRest","value":{"type":"StringValueRest","value":"Email Server is Down"}}}]}}'

curl -s -H 'Authorization: Apikey s%2Bi32Ao54bKfFwiK%40XKDM5D2XNQpe4i%2FUB3eK8mWOcseqp3rDyaQ%3D' \
  -H 'Content-Type: application/json' "$U/api/v1/service_catalog/servicerequest" \
  -d '{"requester":"paulsn","serviceName":"HW 1","serviceCategoryName":"Hardware","priorityName":"Low"}'
curl -s -H "Authorization: Bearer $T" "$U/api/v1/service_catalog/servicerequest/66"
curl -s -X PATCH -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
  "$U/api/v1/service_catalog/servicerequest/66" -d '{"statusName":"Resolved"}'
curl -s -X DELETE -H "Authorization: Bearer $T" "$U/api/v1/service_catalog/servicerequest/66"
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
  "$U/api/v1/service_catalog/servicerequest/search/byqual?offset=0&size=10" -d '{}'

curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/request/65/conversation" \
  -d '{"conversationType":"note","details":"<p>Please take this request on priority.</p>"}'
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/request/65/conversation/search/byqual" \
  -d '{"qualDetails":{"type":"FlatQualificationRest","quals":[{"type":"RelationalQualificationRest",
       "leftOperand":{"type":"PropertyOperandRest","key":".conversation.conversationType"},"operator":"equal",
       "rightOperand":{"type":"ValueOperandRest","value":{"type":"EnumValueRest","value":"note"}}}]}}'
curl -s -X PATCH -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
  "$U/api/v1/request/64/conversation/1" -d '{"details":"<p>Updated</p>","subject":"Progress Update"}'
curl -s -X DELETE -H "Authorization: Bearer $T" "$U/api/v1/request/64/conversation/2"
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/change/67/conversation" \
  -d '{"conversationType":"collaborate","details":"<p>CAB on Monday</p>"}'
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
  "$U/api/v1/change/67/conversation/search/byqual" -d '{}'

curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/change" \
  -d '{"requesterEmail":"tim@acme.com","subject":"Patch the firewall","startDate":1798800000000,"endDate":1798803600000,"riskType":"High","changeType":"Emergency"}'
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/change/search/byqual" \
  -d '{"qualDetails":{"type":"FlatQualificationRest","quals":[{"type":"RelationalQualificationRest",
       "leftOperand":{"type":"PropertyOperandRest","key":"change.changeType"},"operator":"equal",
       "rightOperand":{"type":"ValueOperandRest","value":{"type":"StringValueRest","value":"Emergency"}}}]}}'
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/asset" \
  -d '{"name":"SRV-01","assetTypeName":"hardware$server","type":"HardwareAsset","usedByEmail":"paulsn","ipAddress":"10.0.0.9"}'
curl -s -H "Authorization: Bearer $T" "$U/api/v1/change/67"
curl -s -X PATCH -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/change/67" -d '{"statusName":"Approval"}'
curl -s -X DELETE -H "Authorization: Bearer $T" "$U/api/v1/change/67"
curl -s -H "Authorization: Bearer $T" "$U/api/v1/asset/68"
curl -s -X PATCH -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/asset/68" -d '{"statusName":"In Store"}'
curl -s -X DELETE -H "Authorization: Bearer $T" "$U/api/v1/asset/68"
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/asset/search/byqual?size=10" -d '{}'

curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/requester" \
  -d '{"name":"Neo","email":"neo@acme.com","userLogOnName":"neo","contactNo":"+1 555 0100","locationName":"New York"}'
curl -s -H "Authorization: Bearer $T" "$U/api/v1/requester/2"
curl -s -X PATCH -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/requester/2" -d '{"contactNo":"+91 79 0000"}'
curl -s -X DELETE -H "Authorization: Bearer $T" "$U/api/v1/requester/4"
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/technician/search/byqual" -d '{}'
curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' "$U/api/v1/technician" -d '{"name":"Trinity","email":"trinity@acme.com"}'

curl -s -X POST $U/_standin/serviceops/apikeys -d '{"user":"tim@acme.com"}'
curl -s -X POST $U/_standin/serviceops/apikeys/revoke -d '{"key":"s%2Bi32Ao54bKfFwiK%40XKDM5D2XNQpe4i%2FUB3eK8mWOcseqp3rDyaQ%3D"}'
curl -s -X POST $U/_standin/serviceops/users \
  -d '{"id":10,"name":"Zed","email":"zed@acme.com","password":"z","role":"requester","enabled":true}'
curl -s -X PATCH $U/_standin/serviceops/users/rita -d '{"enabled":false}'
curl -s -X POST $U/_standin/serviceops/clients -d '{"clientId":"ci","clientSecret":"cs","scope":"other-api-scope"}'
curl -s -X DELETE $U/_standin/serviceops/clients/ci

# Refusals
curl -s -X POST "$U/api/oauth/token" -u main-web-app-client:wrong -d grant_type=password -d username=tim@acme.com -d password=123
curl -s -X POST "$U/api/oauth/token" -u main-web-app-client:main-web-app-secret -d grant_type=password -d username=tim@acme.com -d password=nope
curl -s -X POST "$U/api/oauth/token" -u main-web-app-client:main-web-app-secret -d grant_type=client_credentials
curl -s -X POST "$U/api/oauth/token" -u main-web-app-client:main-web-app-secret -d grant_type=password
curl -s -X POST "$U/api/oauth/token" -d grant_type=password -d username=tim@acme.com -d password=123
curl -s -X POST "$U/api/oauth/token" -u main-web-app-client:main-web-app-secret -d grant_type=refresh_token -d refresh_token=garbage
curl -s "$U/api/v1/request/65"
curl -s -H 'Authorization: Bearer not.a.jwt' "$U/api/v1/request/65"
curl -s -H 'Authorization: Bearer eyJhbGciOiJub25lIn0.eyJ1c2VyX25hbWUiOiJ0aW1AYWNtZS5jb20ifQ.' "$U/api/v1/request/65"
curl -s -H 'Authorization: Apikey wrong' "$U/api/v1/request/65"
T2=$(curl -s -u main-web-app-client:main-web-app-secret "$U/api/oauth/token" -d grant_type=password -d username=tim@acme.com -d password=123 | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
curl -s -H "Authorization: Bearer $T2" "$U/api/v1/request/999999"
curl -s -H "Authorization: Bearer $T2" "$U/api/v1/request/abc"
curl -s -H "Authorization: Bearer $T2" -H 'Content-Type: application/json' "$U/api/v1/request" -d '{not json'
curl -s -H "Authorization: Bearer $T2" -H 'Content-Type: application/json' "$U/api/v1/request/search/byqual" -d '{"qualDetails":{"type":"Nope"}}'
curl -s -X PUT -H "Authorization: Bearer $T2" "$U/api/v1/request/65"
curl -s -H "Authorization: Bearer $T2" "$U/api/v1/nothing/here"

# Attachments, the signing key, assetPropertyList (added with them)
curl -s $U/_standin/serviceops/jwks
printf 'replayed file\n' > replay-note.txt
RQ=$(curl -s -H "Authorization: Bearer $T2" -H 'Content-Type: application/json' "$U/api/v1/request" \
  -d '{"subject":"With files","requesterEmail":"tim@acme.com"}' | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
REF=$(curl -s -H "Authorization: Bearer $T2" -F file=@replay-note.txt "$U/api/v1/request/$RQ/attachment" | sed -n 's/.*"refFileName":"\([^"]*\)".*/\1/p')
curl -s -H "Authorization: Bearer $T2" "$U/api/v1/request/$RQ/attachment"
curl -s -H "Authorization: Bearer $T2" "$U/api/v1/request/$RQ/attachment/$REF"
curl -s -H "Authorization: Bearer $T2" "$U/api/v1/request/$RQ/attachment/nope.txt"
curl -s -H "Authorization: Bearer $T2" -F note=x "$U/api/v1/request/$RQ/attachment"
curl -s -H "Authorization: Bearer $T2" -F file=@replay-note.txt "$U/api/v1/request/999999/attachment"
curl -s -X DELETE -H "Authorization: Bearer $T2" "$U/api/v1/request/$RQ/attachment/$REF"
curl -s -H "Authorization: Bearer $T2" -H 'Content-Type: application/json' "$U/api/v1/asset" \
  -d '{"name":"PC-R","assetTypeName":"hardware$computer","type":"HardwareAsset","assetPropertyList":[{"type":"ComputerProperty","osName":"Linux"}]}'
curl -s -H "Authorization: Bearer $T2" -H 'Content-Type: application/json' "$U/api/v1/asset" \
  -d '{"name":"PC-S","assetTypeName":"hardware$computer","type":"HardwareAsset","assetPropertyList":[{"type":"SoftwareProperty"}]}'

# OPTIONS, plain and as a browser preflight: without --cors the vendor's answer, no CORS header
curl -s -X OPTIONS "$STANDIN_URL/api/v1/request/65"
curl -s -X OPTIONS -H 'Origin: http://dashboard.example:3000' -H 'Access-Control-Request-Method: POST' \
  -H 'Access-Control-Request-Headers: content-type' "$STANDIN_URL/api/v1/request/65"
curl -s -X OPTIONS -H 'Origin: http://dashboard.example:3000' -H 'Access-Control-Request-Method: POST' "$STANDIN_URL/_standin/clock"
curl -s -H 'Origin: http://dashboard.example:3000' "$STANDIN_URL/no/such/path"

# Injected faults: the vendor's own body for each status a `status` fault sets (docs/serviceops.md),
# bodiless 204/304, and a rate limit's 429 with Retry-After
for status in 400 401 403 404 405 429 500 502 503 504 204 304; do
  curl -s -X POST "$STANDIN_URL/_standin/faults" -d '{"path":"/api/v1/request/65","times":1,"action":"status","status":'$status'}'
  curl -s "$STANDIN_URL/api/v1/request/65"
done
curl -s -X POST "$STANDIN_URL/_standin/rate-limits" -d '{"per":"ip","capacity":1,"refill_per_sec":0.01}'
curl -s "$STANDIN_URL/api/v1/request/65"
curl -s "$STANDIN_URL/api/v1/request/65"
curl -s -X DELETE "$STANDIN_URL/_standin/rate-limits"
curl -s -X POST "$STANDIN_URL/_standin/faults" -d '{"path":"/api/oauth/token","times":1,"action":"status","status":503}'
curl -s -X POST "$STANDIN_URL/api/oauth/token"
