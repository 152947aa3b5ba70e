{{ $c := 1 }}{{ derivePassword $c "long" "password" "user" "example.com" }}
