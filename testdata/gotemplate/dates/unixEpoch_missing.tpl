{{ .missing | unixEpoch }}
