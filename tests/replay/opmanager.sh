# Replay corpus for opmanager: recorded from docs/opmanager.md at af0decb (its shell examples, in page order),
# then refusals. Run by scripts/replay; $STANDIN_URL is the instance's base URL.

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/device/listDevices?rows=10&page=1&sortByColumn=deviceName&sortByType=asc'
curl "$STANDIN_URL"'/api/json/v2/device/listDevices?apiKey=3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b&category=Server'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/device/getDeviceSummary?name=srv-exch-01'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/device/getDeviceInfo?ipAddress=10.10.2.25'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/v2/device/getDeviceCompleteDetails?name=core-rtr-01'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/device/getInterfaces?name=core-rtr-02'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/device/listInterfaces?rows=20&page=1&sortByColumn=inSpeed&sortByType=desc&intfProps=moid'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/device/getDeviceAssociatedMonitors?name=srv-sql-01'

curl -X POST -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/device/setManaged?name=srv-sql-01&manage=false'

curl -X POST -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/discovery/addDevice?deviceName=10.10.7.7&netmask=255.255.255.0'

curl -X POST -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/device/deleteDevice?name=10.10.7.7'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' $STANDIN_URL/api/json/admin/listProbes

curl -H 'apikey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/alarm/listAlarms?alertType=ActiveAlarms&severity=1,2'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/alarm/alarmProperties?entity=114_CPUUSAGE'

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/alarm/getAnnotation?entity=115_DiskUtilization'

curl -X POST -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' -H 'Content-Type: application/json' "$STANDIN_URL"'/api/json/alarm/acknowledgeAlarm?entity=114_CPUUSAGE'
curl -X POST -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' --data-urlencode 'entity=114_CPUUSAGE' --data-urlencode 'notes=Ticket INC-4411' $STANDIN_URL/api/json/alarm/addNotes

curl -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/events/listEvents?deviceName=srv-sql-01&period=Today'

curl -X POST -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL"'/api/json/events/addEvent?source=srv-db-01&severity=2&message=Replication%20lag&alarmCode=REPLLAG&entity=srv-db-01_ReplLag&eventType=Threshold'

curl -X POST -H 'Content-Type: application/json' -d '{"name":"nightshift","role":"Operator"}' $STANDIN_URL/_standin/opmanager/users
curl -X POST -H 'Content-Type: application/json' -d '{"enabled":true,"by":"admin"}' $STANDIN_URL/_standin/opmanager/users/nightshift/rest-access
curl $STANDIN_URL/_standin/opmanager/users/nightshift/key
curl -X POST $STANDIN_URL/_standin/opmanager/users/admin/key/regenerate

# Refusals
K=3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b
curl "$STANDIN_URL/api/json/device/listDevices"
curl -H 'apiKey: 00000000000000000000000000000000' "$STANDIN_URL/api/json/device/listDevices"
curl -H 'apiKey: 0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a' "$STANDIN_URL/api/json/device/listDevices"
curl "$STANDIN_URL/api/json/alarm/listAlarms?apiKey=$K"
curl "$STANDIN_URL/api/json/device/listDevices?apiKey=$K&page=0"
curl -H "apiKey: $K" "$STANDIN_URL/api/json/device/listDevices?rows=abc"
curl -H "apiKey: $K" "$STANDIN_URL/api/json/device/getDeviceInfo"
curl -H "apiKey: $K" "$STANDIN_URL/api/json/device/getDeviceInfo?name=no-such-device"
curl -H "apiKey: $K" "$STANDIN_URL/api/json/nope/nothing"
curl -X DELETE -H "apiKey: $K" "$STANDIN_URL/api/json/device/listDevices"
curl -H 'apiKey: a47d19e3c60b85f2e9d4a1b7c3f60e28' -X POST "$STANDIN_URL/api/json/device/setManaged" -d 'name=x&manage=true'
curl -H "apiKey: $K" -X POST "$STANDIN_URL/api/json/alarm/addNotes" -d 'entity=1&notes=<script>x</script>'
curl -H "apiKey: $K" "$STANDIN_URL/api/json/device/listDevices"
curl -H "apiKey: $K" "$STANDIN_URL/api/json/alarm/listAlarms"

# OPTIONS, plain and as a browser preflight: without --cors the vendor's answer, no CORS header
curl  -X OPTIONS "$STANDIN_URL/api/json/device/listDevices"
curl  -X OPTIONS -H 'Origin: http://dashboard.example:3000' -H 'Access-Control-Request-Method: POST' \
  -H 'Access-Control-Request-Headers: content-type' "$STANDIN_URL/api/json/device/listDevices"
curl  -X OPTIONS -H 'Origin: http://dashboard.example:3000' -H 'Access-Control-Request-Method: POST' "$STANDIN_URL/_standin/clock"
curl  -H 'Origin: http://dashboard.example:3000' "$STANDIN_URL/no/such/path"

# Injected faults: the vendor's own body for each status a `status` fault sets (docs/opmanager.md),
# bodiless 204/304, and a rate limit's 429 with Retry-After
for status in 400 401 403 404 405 429 500 502 503 504 204 304; do
  curl -s -X POST "$STANDIN_URL/_standin/faults" -d '{"path":"/api/json/device/listDevices","times":1,"action":"status","status":'$status'}'
  curl -s -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL/api/json/device/listDevices"
done
curl -s -X POST "$STANDIN_URL/_standin/rate-limits" -d '{"per":"ip","capacity":1,"refill_per_sec":0.01}'
curl -s -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL/api/json/device/listDevices"
curl -s -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$STANDIN_URL/api/json/device/listDevices"
curl -s -X DELETE "$STANDIN_URL/_standin/rate-limits"

# Kept list answers (issue 18): each list read again after writes, clock changes (both ways) and
# replaced states, good and refused (the clock and reset calls themselves are left out: a reset
# unfreezes the clock, so their answers carry the real time)
command curl -s -o /dev/null -X POST "$STANDIN_URL/_standin/reset"
command curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"set":"2026-11-23T12:00:00Z","freeze":true}' "$STANDIN_URL/_standin/clock"
for q in 'rows=5&page=2' 'rows=5&page=2' 'category=Server&sortByColumn=statusNum&sortByType=desc' 'page=9&rows=5' 'rows=5&page=2&apiKey=x'; do
  curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/device/listDevices?$q"
done
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/alarm/listAlarms?severity=1,2,3"
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/alarm/listAlarms?severity=1,2,3"
curl -s -X POST -H "apiKey: $K" "$STANDIN_URL/api/json/alarm/acknowledgeAlarm?entity=103_linkDown"
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/alarm/listAlarms?severity=1,2,3"
curl -s -X POST -H "apiKey: $K" "$STANDIN_URL/api/json/alarm/clearAlarm?entity=103_linkDown"
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/alarm/listAlarms"
curl -s -X POST -H "apiKey: $K" "$STANDIN_URL/api/json/device/setManaged?name=acc-sw-01&manage=false"
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/device/listDevices?rows=5&page=2"
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/v2/device/listDevices?rows=5&page=2"
for at in 2026-11-23T12:00:59Z 2026-11-26T08:00:00Z 2026-11-23T09:00:00Z 2026-11-23T08:55:30Z; do
  command curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"set":"'$at'","freeze":true}' "$STANDIN_URL/_standin/clock"
  curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/device/listDevices"
done
S=$(curl -s "$STANDIN_URL/_standin/state")
curl -s -X PUT -H 'Content-Type: application/json' -d "$(printf '%s' "$S" | sed 's/"displayName":"core-rtr-01"/"displayName":"core-rtr-01 (renamed)"/')" "$STANDIN_URL/_standin/state"
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/device/listDevices?rows=5&page=1"
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/alarm/listAlarms"
curl -s -X PUT -H 'Content-Type: application/json' -d "$(printf '%s' "$S" | sed 's/"deviceName":"core-rtr-02"/"deviceName":"core-rtr-01"/')" "$STANDIN_URL/_standin/state"
curl -s -X PUT -H 'Content-Type: application/json' -d "$(printf '%s' "$S" | sed 's/"moid":102,/"moid":101,/')" "$STANDIN_URL/_standin/state"
curl -s -X PUT -H 'Content-Type: application/json' -d "$(printf '%s' "$S" | sed 's/"name":"admin"/"name":""/; s/"responseTimeMs":4/"responseTimeMs":"4"/')" "$STANDIN_URL/_standin/state"
curl -s -X PUT -H 'Content-Type: application/json' -d "$(printf '%s' "$S" | sed 's/"name":"admin"/"name":""/')" "$STANDIN_URL/_standin/state"
curl -s -X PUT -H 'Content-Type: application/json' -d "$(printf '%s' "$S" | sed 's/"deviceName":"core-rtr-02","name"/"deviceName":"no-such-device","name"/')" "$STANDIN_URL/_standin/state"
curl -s -H "apiKey: $K" "$STANDIN_URL/api/json/device/listDevices?rows=5&page=1"
