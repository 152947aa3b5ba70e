{{ derivePassword 1 "long" "password" "user" "example.com" }}
{{ derivePassword 1 "maximum" "password" "user" "example.com" }}
{{ derivePassword 2 "medium" "password" "user" "example.com" }}
{{ derivePassword 3 "short" "password" "user" "" }}
{{ derivePassword 0 "basic" "password" "user" "site.org" }}
{{ derivePassword 4294967295 "pin" "password" "user" "bank" }}
{{ derivePassword 1.0 "long" "password" "user" "ūnïcode.example" }}
{{ derivePassword 4294967296 "long" "password" "user" "wraps to counter 0" }}
{{ derivePassword 'a' "long" "password" "user" "char counter" }}
{{ derivePassword 1 "nope" "password" "user" "example.com" }}
{{ derivePassword 1 "Long" "password" "user" "example.com" }}
