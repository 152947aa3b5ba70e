{{ genSelfSignedCert "a" "1.2.3.4" nil 3 }}
