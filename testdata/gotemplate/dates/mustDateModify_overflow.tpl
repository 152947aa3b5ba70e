{{ mustDateModify "99999999999h" (toDate "2006-01-02" "2020-01-02") }}
