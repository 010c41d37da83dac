#!/bin/sh
# 첫 1분 동안 로그가 비어 있지 않도록 한 줄을 바로 쓰고, cron을 포그라운드로 실행합니다(exec: cron이 PID 1).
echo "$(date '+%Y-%m-%d %H:%M:%S') container started; cron runs task.sh every minute" >> /var/log/cron.log
exec cron -f
