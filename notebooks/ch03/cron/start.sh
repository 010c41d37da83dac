#!/bin/sh
# Write one line right away (so the log is not empty for the first minute), then run cron in the foreground.
echo "$(date '+%Y-%m-%d %H:%M:%S') container started; cron runs task.sh every minute" >> /var/log/cron.log
exec cron -f
