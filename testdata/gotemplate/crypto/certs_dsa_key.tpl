{{ genCAWithKey "foo" 365 (genPrivateKey "dsa") }}
