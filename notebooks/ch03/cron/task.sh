#!/bin/sh
echo "$(date '+%Y-%m-%d %H:%M:%S') Hello cron! (run by cron)"
