{{ derivePassword "1" "long" "password" "user" "example.com" }}
