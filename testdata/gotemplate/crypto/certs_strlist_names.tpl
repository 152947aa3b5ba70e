{{ genSignedCert "a" nil (splitList "," "x,y") 3 (genCA "ca" 3) }}
