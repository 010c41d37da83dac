#!/bin/sh
# Render nginx's configuration from templates with the environment, write the upstreams from DNS, start
# nginx, and keep the upstreams in step with DNS.
#
# Why the DNS loop: open-source nginx 1.26 resolves an upstream's host name once, at start. In Swarm with
# `endpoint_mode: dnsrr` the service name resolves to the current tasks' addresses, which change on every
# update or restart. Every RESOLVE_INTERVAL seconds we resolve again and, when the set of addresses changed,
# rewrite the upstream and reload nginx gracefully (old workers finish their requests).
set -eu

TEMPLATES=/etc/nginx/templates
CONF=/etc/nginx/conf.d

render() {  # render TEMPLATE OUTPUT: substitute only variables that are set (nginx's own $vars stay)
  vars=$(env | sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')
  envsubst "$vars" < "$1" > "$2"
}

addresses() { getent ahostsv4 "$1" 2>/dev/null | awk '{print $1}' | sort -u | tr '\n' ' '; }

write_upstream() {  # write_upstream NAME HOST PORT
  file="$CONF/upstream-$1.conf"
  ips=$(addresses "$2")
  {
    echo "# $2 resolved to: ${ips:-nothing yet} ($(date +%H:%M:%S))"
    echo "upstream $1 {"
    if [ -n "$ips" ]; then
      for ip in $ips; do
        echo "    server $ip:$3 max_fails=$BACKEND_MAX_FAILS fail_timeout=$BACKEND_FAIL_TIMEOUT;"
      done
    else
      echo "    server 127.0.0.1:9 down;  # no task yet"
    fi
    echo "    keepalive $UPSTREAM_KEEPALIVE;"
    echo "}"
  } > "$file.new"
  echo "$ips"
}

upstreams() {  # prints a signature of all upstreams; files are left as *.new
  sig=$(write_upstream backend "$BACKEND_HOST" "$BACKEND_PORT")
  if [ "$NGINX_SITE" = ingress ]; then
    sig="$sig| $(write_upstream api "$API_BACKEND_HOST" "$API_BACKEND_PORT")"
  fi
  echo "$sig"
}

commit_upstreams() { for f in "$CONF"/upstream-*.conf.new; do mv "$f" "${f%.new}"; done; }

[ -f "$TEMPLATES/$NGINX_SITE.conf.template" ] || { echo "unknown NGINX_SITE=$NGINX_SITE" >&2; exit 2; }
render "$TEMPLATES/nginx.conf.template" /etc/nginx/nginx.conf
render "$TEMPLATES/$NGINX_SITE.conf.template" "$CONF/site.conf"
current=$(upstreams); commit_upstreams
echo "[todo-nginx] site=$NGINX_SITE backend=$BACKEND_HOST:$BACKEND_PORT -> $current"
nginx -t -q

(
  while sleep "$RESOLVE_INTERVAL"; do
    next=$(upstreams)
    if [ "$next" != "$current" ]; then
      commit_upstreams
      echo "[todo-nginx] addresses changed: $current -> $next; reloading"
      nginx -s reload || true
      current=$next
    else
      rm -f "$CONF"/upstream-*.conf.new
    fi
  done
) &

exec nginx -g 'daemon off;'
