{{ dateInZone "2006-01-02T15:04:05Z07:00 MST" (toDate "2006-01-02 15:04" "2024-03-10 09:59") "America/Los_Angeles" }}
{{ dateInZone "2006-01-02T15:04:05Z07:00 MST" (toDate "2006-01-02 15:04" "2024-03-10 10:00") "America/Los_Angeles" }}
{{ dateInZone "2006-01-02T15:04:05Z07:00 MST" (toDate "2006-01-02 15:04" "2024-10-27 00:59") "Europe/London" }}
{{ dateInZone "2006-01-02T15:04:05Z07:00 MST" (toDate "2006-01-02 15:04" "2024-10-27 01:00") "Europe/London" }}
{{ dateInZone "2006-01-02 15:04 MST -07:00:00" (toDate "2006-01-02" "1800-01-01") "America/New_York" }}
{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "1900-01-01") "Europe/Amsterdam" }}
{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "1941-07-01") "Europe/Paris" }}
{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "2090-07-01") "Europe/London" }}
{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "2090-01-01") "Australia/Sydney" }}
