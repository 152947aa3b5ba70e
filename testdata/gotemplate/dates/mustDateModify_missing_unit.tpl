{{ mustDateModify "1" (toDate "2006-01-02" "2020-01-02") }}
