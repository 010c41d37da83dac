#!/bin/sh
# MariaDB를 TODO 앱의 프라이머리 또는 레플리카로 시작합니다.
#
# 처음 시작할 때만(데이터 디렉터리가 빔): 시스템 테이블을 만들고, 네트워크를 열지 않은 임시 서버로 역할별 초기화를
# 합니다. 반쯤 준비된 데이터베이스에 아무도 접속하지 못하게 하기 위해서입니다.
#   primary - 데이터베이스, 앱 사용자, 복제 사용자, 스키마와 예시 데이터(바이너리 로그 켬)
#   replica - 프라이머리를 기다린 뒤, 프라이머리의 바이너리 로그 위치를 함께 기록한 일관된 스냅숏으로 데이터를
#             복사하고, 그 위치부터 복제를 시작
# 그다음 시작부터는(데이터 디렉터리가 볼륨에 남아 있음) 초기화를 건너뛰고, 레플리카는 멈춘 곳부터 이어 갑니다.
set -eu

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
log() { echo "[todo-db $(date +%H:%M:%S)] $*"; }

server_id() {
  # 서버마다 다른 값: 환경 변수 SERVER_ID(스택 파일이 태스크 슬롯으로 넘김), 없으면 책처럼
  # 컨테이너 IP에서 계산(셋째 자리 * 256 + 넷째 자리)
  if [ -n "${SERVER_ID:-}" ]; then echo "$SERVER_ID"; return; fi
  ip=$(hostname -i | awk '{print $1}')
  echo "$ip" | awk -F. '{print $3 * 256 + $4}'
}

write_config() {
  id=$(server_id)
  cat > /etc/mysql/mariadb.conf.d/90-todo.cnf <<CNF
[mariadbd]
server-id              = $id
bind-address           = 0.0.0.0
skip-name-resolve
log-bin                = mysql-bin
binlog-format          = ROW
relay-log              = relay-bin
character-set-server   = utf8mb4
collation-server       = utf8mb4_unicode_ci
innodb-buffer-pool-size = 64M
performance-schema     = OFF
CNF
  if [ "$DB_ROLE" = replica ]; then
    printf 'read-only              = ON\n' >> /etc/mysql/mariadb.conf.d/90-todo.cnf
  fi
  log "role=$DB_ROLE server-id=$id"
}

sql() { mariadb --protocol=socket -S "$SOCKET" -uroot --default-character-set=utf8mb4 "$@"; }

wait_socket() {
  i=0
  until mariadb-admin --protocol=socket -S "$SOCKET" ping --silent 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 120 ] || { log "temporary server did not start"; exit 1; }
    sleep 0.5
  done
}

init_primary() {
  log "primary: creating database, users, schema and seed rows"
  sql <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$DB_NAME\`.* TO '$DB_USER'@'%';
CREATE USER IF NOT EXISTS '$REPL_USER'@'%' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD ON *.* TO '$REPL_USER'@'%';
GRANT SELECT, LOCK TABLES, SHOW VIEW ON \`$DB_NAME\`.* TO '$REPL_USER'@'%';
SQL
  sql "$DB_NAME" < /todo-init/schema.sql
  log "primary: binary log status after init:"
  sql -e 'SHOW BINLOG STATUS'
}

init_replica() {
  export MYSQL_PWD="$REPL_PASSWORD"
  remote="mariadb -h $PRIMARY_HOST -P $PRIMARY_PORT -u $REPL_USER"
  log "replica: waiting for the primary $PRIMARY_HOST:$PRIMARY_PORT"
  i=0
  until $remote -e "SELECT 1 FROM \`$DB_NAME\`.todo LIMIT 1" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 300 ] || { log "primary not reachable"; exit 1; }
    sleep 1
  done
  log "replica: primary's binary log status now:"
  $remote -e 'SHOW BINLOG STATUS'
  # 일관된 복사본: --single-transaction 스냅숏 + --master-data=2가 스냅숏과 정확히 맞는 바이너리 로그
  # 파일과 위치를 주석 한 줄로 남기고, 아래에서 그 줄을 읽습니다.
  mariadb-dump -h "$PRIMARY_HOST" -P "$PRIMARY_PORT" -u "$REPL_USER" --single-transaction \
    --master-data=2 --databases "$DB_NAME" > /tmp/snapshot.sql
  pos_line=$(grep -m1 'CHANGE MASTER TO' /tmp/snapshot.sql)
  file=$(echo "$pos_line" | sed -n "s/.*MASTER_LOG_FILE='\([^']*\)'.*/\1/p")
  pos=$(echo "$pos_line" | sed -n "s/.*MASTER_LOG_POS=\([0-9]*\).*/\1/p")
  log "replica: snapshot taken at $file:$pos"
  unset MYSQL_PWD
  sql -e "SET sql_log_bin = 0; SOURCE /tmp/snapshot.sql;"
  rm -f /tmp/snapshot.sql
  sql <<SQL
SET sql_log_bin = 0;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT SELECT ON \`$DB_NAME\`.* TO '$DB_USER'@'%';
CHANGE MASTER TO
  MASTER_HOST = '$PRIMARY_HOST', MASTER_PORT = $PRIMARY_PORT,
  MASTER_USER = '$REPL_USER', MASTER_PASSWORD = '$REPL_PASSWORD',
  MASTER_LOG_FILE = '$file', MASTER_LOG_POS = $pos,
  MASTER_CONNECT_RETRY = 5;
START REPLICA;
SQL
  log "replica: replication started"
}

case "$DB_ROLE" in primary|replica) ;; *) echo "DB_ROLE must be primary or replica" >&2; exit 2 ;; esac
write_config

if [ ! -d "$DATADIR/mysql" ]; then
  log "first start: initialising $DATADIR"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
    --auth-root-authentication-method=socket > /dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" &
  pid=$!
  wait_socket
  "init_$DB_ROLE"
  mariadb-admin --protocol=socket -S "$SOCKET" shutdown
  wait "$pid" || true
  log "init done"
fi

log "starting mariadbd"
exec mariadbd --user=mysql --datadir="$DATADIR"
