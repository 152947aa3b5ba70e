{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "2024-07-01") "America/New_York" }}
{{ dateInZone "2006-01-02 15:04 MST -07:00" (toDate "2006-01-02" "2024-01-15") "America/New_York" }}
{{ dateInZone "2006-01-02 15:04:05 MST Z07:00" 0 "Europe/Berlin" }}
{{ dateInZone "2006-01-02 15:04 MST" 1700000000 "Asia/Kolkata" }}
{{ dateInZone "2006-01-02 15:04 MST -0700" 1700000000 "America/Sao_Paulo" }}
{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "2024-07-01") "Australia/Lord_Howe" }}
{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "2024-07-01") "Asia/Kathmandu" }}
{{ date_in_zone "Mon Jan 2 15:04:05 MST 2006" 1700000000 "Asia/Tokyo" }}
{{ htmlDateInZone 1700000000 "Pacific/Kiritimati" }} {{ htmlDateInZone 1700000000 "Pacific/Pago_Pago" }}
{{ dateInZone "15:04 MST" 0 "EST" }} {{ dateInZone "15:04 MST" 0 "GMT" }} {{ dateInZone "15:04 MST" 0 "Etc/GMT+5" }} {{ dateInZone "15:04 MST" 0 "Etc/UTC" }} {{ dateInZone "15:04 MST" 0 "posix/Asia/Tokyo" }}
