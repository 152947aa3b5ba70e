{{- $ca := genCAWithKey "my-ca" 365 .key -}}
{{- $leaf := genSignedCertWithKey "svc" (list "10.0.0.1") (list "svc.ns") 30 $ca .key -}}
{{- $self := genSelfSignedCertWithKey "self" nil nil 10 .key -}}
{{ hasPrefix "-----BEGIN CERTIFICATE-----\n" $ca.Cert }} {{ hasSuffix "-----END CERTIFICATE-----\n" $leaf.Cert }} {{ eq $ca.Key .key }} {{ eq $self.Key .key }} {{ ne $ca.Cert $self.Cert }}
{{ genPrivateKey "nope" }}