#!/bin/sh
# Install the controller's public key from the environment variable AGENT_SSH_PUBKEY, then start sshd.
set -eu
mkdir -p /etc/ssh/keys
# The host key lives in a volume: the controller's known_hosts stays valid when the agent is recreated.
[ -f /etc/ssh/keys/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/keys/ssh_host_ed25519_key
install -d -m 700 -o agent -g agent /home/agent/.ssh
if [ -n "${AGENT_SSH_PUBKEY:-}" ]; then
  printf '%s\n' "$AGENT_SSH_PUBKEY" > /home/agent/.ssh/authorized_keys
  chown agent:agent /home/agent/.ssh/authorized_keys
  chmod 600 /home/agent/.ssh/authorized_keys
  echo "agent: authorized key installed from AGENT_SSH_PUBKEY (${AGENT_SSH_PUBKEY##* })"
else
  rm -f /home/agent/.ssh/authorized_keys
  echo "agent: AGENT_SSH_PUBKEY is empty, so SSH logins are refused"
fi
exec "$@"
