{{ mustDateModify "x" nil }}
