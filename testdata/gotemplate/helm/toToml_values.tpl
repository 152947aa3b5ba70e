{{ toToml . }}
---
{{ toToml .res }}
