{{ dateModify "1h" 1 }}
