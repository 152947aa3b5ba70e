#!/bin/sh
exec portal --name "{{ include "portal.name" . }}" "$@"
