# Replay corpus for pmp: recorded from docs/pmp.md at af0decb (its shell examples, in page order),
# then refusals. Run by scripts/replay; $STANDIN_URL is the instance's base URL.

curl -k "$STANDIN_URL/restapi/json/v1/resources?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"
curl -k -H "AUTHTOKEN: B9A1809A-5BF7-4459-9ED2-8D4F499CB902" $STANDIN_URL/restapi/json/v1/resources
curl -k -G -H "AUTHTOKEN: B9A1809A-5BF7-4459-9ED2-8D4F499CB902" $STANDIN_URL/restapi/json/v1/resources \
  --data-urlencode 'INPUT_DATA={"operation":{"Details":{"SEARCHCOLUMN":"RESOURCENAME","SEARCHVALUE":"mssql","SEARCHTYPE":"RESOURCE"}}}'

curl -k "$STANDIN_URL/restapi/json/v1/resources/303/accounts?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

curl -k "$STANDIN_URL/restapi/json/v1/resources/303/accounts/307?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

curl -k "$STANDIN_URL/restapi/json/v1/resources/303/accounts/307/password?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"
curl -k -G "$STANDIN_URL/restapi/json/v1/resources/304/accounts/310/password" -H "AUTHTOKEN: B9A1809A-5BF7-4459-9ED2-8D4F499CB902" \
  --data-urlencode 'INPUT_DATA={"operation":{"Details":{"REASON":"Need the password","TICKETID":"7"}}}'

curl -k -X PUT -H "Content-Type: text/json" "$STANDIN_URL/restapi/json/v1/resources/303/accounts/307/password?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902" \
  -d 'INPUT_DATA={"operation":{"Details":{"NEWPASSWORD":"Test@12345$","RESETTYPE":"LOCAL","REASON":"test","TICKETID":"7"}}}'

curl -k -X POST -H "Content-Type: text/json" "$STANDIN_URL/restapi/json/v1/resources?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902" \
  -d 'INPUT_DATA={"operation":{"Details":{"RESOURCENAME":"Windows Server 2","ACCOUNTNAME":"Administrator","RESOURCETYPE":"Windows","PASSWORD":"Test123#@!","RESOURCEGROUPNAME":"Windows Servers"}}}'
curl -k -X POST -F 'file=@license.txt' \
  -F 'INPUT_DATA={"operation":{"Details":{"RESOURCENAME":"Key Store","ACCOUNTNAME":"Administrator","RESOURCETYPE":"File Store","PASSWORD":"Test123#@!"}}}' \
  "$STANDIN_URL/restapi/json/v1/resources?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

curl -k "$STANDIN_URL/restapi/json/v1/resources/resourcename/MSSQLServer/accounts/accountname/system?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"
curl -k "$STANDIN_URL/restapi/json/v1/resources/getResourceIdAccountId?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902&RESOURCENAME=MSSQLServer&ACCOUNTNAME=system"
curl -k "$STANDIN_URL/restapi/json/v1/resources/resourcename/MSSQLServer?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

curl -k -X DELETE "$STANDIN_URL/restapi/json/v1/resources/303?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

U=C6B1687E-D8D5-4A3E-BF45-77F8D85FCFD4   # userapi, shared account 309
curl -k -X POST "$STANDIN_URL/restapi/json/v1/accounts/309/requestpassword?AUTHTOKEN=$U" -d 'INPUT_DATA={"operation":{"Details":{"REASON":"Testing"}}}'
curl -k "$STANDIN_URL/restapi/json/v1/accounts/passwordaccessrequests?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"
curl -k -X POST "$STANDIN_URL/restapi/json/v1/accounts/309/requester/6/approve?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"
curl -k -X POST "$STANDIN_URL/restapi/json/v1/accounts/309/checkout?AUTHTOKEN=$U"
curl -k "$STANDIN_URL/restapi/json/v1/resources/303/accounts/309/password?AUTHTOKEN=$U"
curl -k -X POST "$STANDIN_URL/restapi/json/v1/accounts/309/requester/6/checkin?AUTHTOKEN=$U"
curl -k -X POST "$STANDIN_URL/restapi/json/v1/accounts/309/requester/6/reject?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

curl -k -X POST "$STANDIN_URL/restapi/json/v1/user?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902" \
  -d 'INPUT_DATA={"operation":{"Details":{"USERNAME":"jason","ROLE":"Password User","ISAPIUSER":"true","HOSTNAME":"localhost","EXPIRYDATE":"NeverExpires"}}}'

curl -k -X PUT "$STANDIN_URL/restapi/json/v1/resources/303?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902" -d 'INPUT_DATA={"operation":{"Details":{"RESOURCENAME":"Test","LOCATION":"4th floor"}}}'

curl -k -X DELETE "$STANDIN_URL/restapi/json/v1/resources/303/accounts/307/?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

curl -k -OJ "$STANDIN_URL/restapi/json/v1/resources/306/accounts/313/downloadfile?AUTHTOKEN=7CBD7DB9-89F0-4092-9911-C862F456106F"

curl -k -X POST "$STANDIN_URL/restapi/json/v1/resources/303/accounts?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902" \
  -d 'INPUT_DATA={"operation":{"Details":{"ACCOUNTLIST":[{"ACCOUNTNAME":"bestest047","PASSWORD":"Pa$$Word@123"}]}}}'

curl -k -X PUT "$STANDIN_URL/restapi/json/v1/resources/303/accounts/307/?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902" -d 'INPUT_DATA={"operation":{"Details":{"ACCOUNTNAME":"Test account","NOTES":"QA"}}}'

curl -k -X DELETE "$STANDIN_URL/restapi/json/v1/user/2?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

curl -k "$STANDIN_URL/restapi/json/v1/user/getUserId?&USERNAME=guest&AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"             # {"USERID":"2"}
curl -k -X PUT "$STANDIN_URL/restapi/json/v1/user/lock?USERNAME=guest&AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"            # a locked user's token is refused at once
curl -k -X PUT "$STANDIN_URL/restapi/json/v1/user/unlock?USERNAME=guest&AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"
curl -k -G "$STANDIN_URL/restapi/json/v1/passwords/generate" -H "AUTHTOKEN: B9A1809A-5BF7-4459-9ED2-8D4F499CB902" --data-urlencode 'INPUT_DATA={"operation":{"Details":{"POLICY":"Strong"}}}'
curl -k -X PUT "$STANDIN_URL/restapi/json/v1/resources/303/accounts/307/share?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902" -d 'INPUT_DATA={"operation":{"Details":{"ACCESSTYPE":"view","USERID":"6"}}}'
curl -k "$STANDIN_URL/restapi/json/v1/resources/resourcetypes?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"
curl -k "$STANDIN_URL/restapi/json/v1/audit?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902"

curl -k -X PATCH $STANDIN_URL/_standin/pmp/accounts/307 -d '{"accessControl":true,"checkoutMinutes":5}'

# Refusals
A=B9A1809A-5BF7-4459-9ED2-8D4F499CB902
curl -k "$STANDIN_URL/restapi/json/v1/resources"
curl -k "$STANDIN_URL/restapi/json/v1/resources?AUTHTOKEN=00000000-0000-0000-0000-000000000000"
curl -k -H "AUTHTOKEN: $A" "$STANDIN_URL/restapi/json/v1/resources"
curl -k "$STANDIN_URL/restapi/json/v1/resources/999999/accounts?AUTHTOKEN=$A"
curl -k "$STANDIN_URL/restapi/json/v1/resources/abc/accounts?AUTHTOKEN=$A"
curl -k "$STANDIN_URL/restapi/json/v1/resources/303/accounts/999999/password?AUTHTOKEN=$A"
curl -k -X POST "$STANDIN_URL/restapi/json/v1/resources?AUTHTOKEN=$A" -d 'INPUT_DATA={broken'
curl -k -X POST "$STANDIN_URL/restapi/json/v1/resources?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{}}}'
curl -k -X DELETE "$STANDIN_URL/restapi/json/v1/resources?AUTHTOKEN=$A"
curl -k "$STANDIN_URL/restapi/json/v1/nothing?AUTHTOKEN=$A"
curl -k "$STANDIN_URL/restapi/json/v1/resources?AUTHTOKEN=$A"

# Refusals of the writes: CHANGE PASSWORD without NEWPASSWORD, with a bad RESETTYPE, against a
# policy, REMOTE on an unreachable resource; EDIT ACCOUNT to a taken name and an unknown policy;
# ADD ACCOUNTS empty, incomplete, duplicate and against a policy; CREATE RESOURCE and CREATE USER
# under taken names
R=$STANDIN_URL/restapi/json/v1/resources
curl -k -X PUT "$R/304/accounts/310/password?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"REASON":"rotation","RESETTYPE":"LOCAL"}}}'
curl -k -X PUT "$R/304/accounts/310/password?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"REASON":"rotation","NEWPASSWORD":"Test@12345$","RESETTYPE":"SIDEWAYS"}}}'
curl -k -X PUT "$R/304/accounts/310/password?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"REASON":"rotation","NEWPASSWORD":"a"}}}'
curl -k -X PUT "$R/305/accounts/312/password?AUTHTOKEN=7CBD7DB9-89F0-4092-9911-C862F456106F" -d 'INPUT_DATA={"operation":{"Details":{"REASON":"rotation","NEWPASSWORD":"Test@12345$","RESETTYPE":"remote"}}}'
curl -k -X PUT "$R/304/accounts/311?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"ACCOUNTNAME":"root"}}}'
curl -k -X PUT "$R/304/accounts/311?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"ACCOUNTPASSWORDPOLICY":"Nonesuch"}}}'
curl -k -X POST "$R/304/accounts?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"ACCOUNTLIST":[]}}}'
curl -k -X POST "$R/304/accounts?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"ACCOUNTLIST":[{"ACCOUNTNAME":"nopass"},{"ACCOUNTNAME":"root","PASSWORD":"Test@12345$"},{"ACCOUNTNAME":"weak","PASSWORD":"a"},{"ACCOUNTNAME":"odd","PASSWORD":"Test@12345$","ACCOUNTPASSWORDPOLICY":"Nonesuch"},"not an object"]}}}'
curl -k -X POST "$R?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"RESOURCENAME":"apt-server1","ACCOUNTNAME":"x","PASSWORD":"Test@12345$","RESOURCETYPE":"Linux"}}}'
curl -k -X POST "$STANDIN_URL/restapi/json/v1/user?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"USERNAME":"pmpapi","FIRSTNAME":"G","EMAIL":"g@example.com","ROLE":"Password User","PASSWORD":"Test@12345$"}}}'
# The request workflow on account 311 (shared with userapi) under access control: raise,
# list, approve, check out, check in, and a second check-in refused
W=$STANDIN_URL/restapi/json/v1/accounts
curl -k -X PATCH $STANDIN_URL/_standin/pmp/accounts/311 -d '{"accessControl":true,"checkoutMinutes":5}'
curl -k -X POST "$W/311/requestpassword?AUTHTOKEN=$U" -d 'INPUT_DATA={"operation":{"Details":{"REASON":"Deploy"}}}'
S=7CBD7DB9-89F0-4092-9911-C862F456106F   # superapi
curl -k "$W/passwordaccessrequests?AUTHTOKEN=$S"
curl -k -X POST "$W/311/requester/6/approve?AUTHTOKEN=$S"
curl -k -X POST "$W/311/checkout?AUTHTOKEN=$U"
curl -k -X POST "$W/311/requester/6/checkin?AUTHTOKEN=$U"
curl -k -X POST "$W/311/requester/6/checkin?AUTHTOKEN=$U"

# PKI sub-API (pypmp's certificate and SSH-key calls)
P=$STANDIN_URL/api/pki/restapi
curl -k "$P/getAllSSLCertificates?AUTHTOKEN=$A"
curl -k -G "$P/getCertificateDetails" --data-urlencode "AUTHTOKEN=$A" --data-urlencode 'INPUT_DATA={"operation":{"Details":{"common_name":"vault.example.com"}}}'
curl -k -G "$P/getCertificate" --data-urlencode "AUTHTOKEN=$A" --data-urlencode 'INPUT_DATA={"operation":{"Details":{"common_name":"vault.example.com"}}}'
curl -k -G "$P/getCertificateKeyStore" --data-urlencode "AUTHTOKEN=$A" --data-urlencode 'INPUT_DATA={"operation":{"Details":{"common_name":"vault.example.com"}}}'
curl -k -G "$P/getCertificatePassphrase" --data-urlencode "AUTHTOKEN=$A" --data-urlencode 'INPUT_DATA={"operation":{"Details":{"common_name":"vault.example.com","serial_number":"5A:3C:01:9E:22:7B:40:11"}}}'
curl -k "$P/getAllSSHKeys?AUTHTOKEN=$A"
curl -k -X POST "$P/getSSHKey?AUTHTOKEN=$A"
curl -k -X POST "$P/exportSSHKey?AUTHTOKEN=$A" -d 'INPUT_DATA={"operation":{"Details":{"keyName":"deploy-key"}}}'
curl -k "$P/getAllAssociatedUsers?AUTHTOKEN=$A"
curl -k "$P/getAllSSLCertificates"
curl -k "$P/getAllSSHKeys?AUTHTOKEN=C6B1687E-D8D5-4A3E-BF45-77F8D85FCFD4"
curl -k "$P/getEverything?AUTHTOKEN=$A"

# OPTIONS, plain and as a browser preflight: without --cors the vendor's answer, no CORS header
curl -k -X OPTIONS "$STANDIN_URL/restapi/json/v1/resources"
curl -k -X OPTIONS -H 'Origin: http://dashboard.example:3000' -H 'Access-Control-Request-Method: POST' \
  -H 'Access-Control-Request-Headers: content-type' "$STANDIN_URL/restapi/json/v1/resources"
curl -k -X OPTIONS -H 'Origin: http://dashboard.example:3000' -H 'Access-Control-Request-Method: POST' "$STANDIN_URL/_standin/clock"
curl -k -H 'Origin: http://dashboard.example:3000' "$STANDIN_URL/no/such/path"

# Injected faults: the vendor's own body for each status a `status` fault sets (docs/pmp.md),
# bodiless 204/304, and a rate limit's 429 with Retry-After
for status in 400 401 403 404 405 429 500 502 503 504 204 304; do
  curl -k -X POST "$STANDIN_URL/_standin/faults" -d '{"path":"/restapi/json/v1/resources","times":1,"action":"status","status":'$status'}'
  curl -k -H "AUTHTOKEN: B9A1809A-5BF7-4459-9ED2-8D4F499CB902" "$STANDIN_URL/restapi/json/v1/resources"
done
curl -k -X POST "$STANDIN_URL/_standin/rate-limits" -d '{"per":"ip","capacity":1,"refill_per_sec":0.01}'
curl -k -H "AUTHTOKEN: B9A1809A-5BF7-4459-9ED2-8D4F499CB902" "$STANDIN_URL/restapi/json/v1/resources"
curl -k -H "AUTHTOKEN: B9A1809A-5BF7-4459-9ED2-8D4F499CB902" "$STANDIN_URL/restapi/json/v1/resources"
curl -k -X DELETE "$STANDIN_URL/_standin/rate-limits"
