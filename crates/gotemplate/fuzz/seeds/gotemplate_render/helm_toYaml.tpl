{{ toYaml .map }}
---
{{ toYaml .list }}
---
{{ toYaml .str }}
---
{{ toYaml .nil }}