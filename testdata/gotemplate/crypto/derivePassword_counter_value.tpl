{{ derivePassword .counter "long" "password" "user" "example.com" }}
