#!/bin/sh
# 템플릿을 환경 변수로 채워 nginx 설정을 만들고, DNS에서 읽은 주소로 upstream을 쓴 뒤 nginx를 시작하고,
# upstream을 DNS와 계속 맞춥니다.
#
# DNS를 다시 읽는 이유: 오픈 소스 nginx 1.26은 upstream의 호스트 이름을 시작할 때 한 번만 풉니다. 스웜의
# `endpoint_mode: dnsrr`에서 서비스 이름은 지금 태스크들의 주소로 풀리고, 그 주소는 업데이트나 재시작 때마다 바뀝니다.
# RESOLVE_INTERVAL초마다 다시 풀어 주소 목록이 바뀌었으면 upstream을 다시 쓰고 nginx를 부드럽게 다시 읽게 합니다
# (옛 워커는 처리 중인 요청을 마침).
set -eu

TEMPLATES=/etc/nginx/templates
CONF=/etc/nginx/conf.d

render() {  # render 템플릿 출력파일: 값이 있는 변수만 바꿈(nginx 자신의 $변수는 그대로)
  vars=$(env | sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')
  envsubst "$vars" < "$1" > "$2"
}

addresses() { getent ahostsv4 "$1" 2>/dev/null | awk '{print $1}' | sort -u | tr '\n' ' '; }

write_upstream() {  # write_upstream 이름 호스트 포트
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

upstreams() {  # 모든 upstream의 요약을 출력(파일은 *.new로 남김)
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
