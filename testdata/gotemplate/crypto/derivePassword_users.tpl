{{ derivePassword 1 "long" "Ünïcode master 🔑" "ūser@example.com" "example.com" }}
{{ derivePassword 7 "maximum" "Ünïcode master 🔑" "ūser@example.com" "example.com" }}
{{ derivePassword 1 "long" "" "" "" }}
{{ derivePassword 1 "pin" "" "" "" }}
