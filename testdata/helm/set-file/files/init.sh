#!/bin/sh
echo "starting ${APP}"
exit 0
