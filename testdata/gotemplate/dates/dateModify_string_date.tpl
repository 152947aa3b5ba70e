{{ dateModify "1h" .s }}
