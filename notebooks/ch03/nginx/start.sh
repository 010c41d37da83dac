#!/bin/sh
# Render every template with only our variables (nginx's own $variables stay untouched).
set -e
vars='${SERVER_PORT} ${BACKEND_HOST} ${BACKEND_PORT} ${RESOLVER}'
for tpl in /etc/nginx/templates/*.template; do
    out="/etc/nginx/conf.d/$(basename "$tpl" .template)"
    envsubst "$vars" < "$tpl" > "$out"
    echo "rendered $out:"; grep -v '^#' "$out"
done
exec nginx -g 'daemon off;'
