#!/bin/sh
# 우리 변수만 골라 템플릿을 채웁니다(nginx 자신의 $변수는 그대로 둠).
set -e
vars='${SERVER_PORT} ${BACKEND_HOST} ${BACKEND_PORT} ${RESOLVER}'
for tpl in /etc/nginx/templates/*.template; do
    out="/etc/nginx/conf.d/$(basename "$tpl" .template)"
    envsubst "$vars" < "$tpl" > "$out"
    echo "rendered $out:"; grep -v '^#' "$out"
done
exec nginx -g 'daemon off;'
