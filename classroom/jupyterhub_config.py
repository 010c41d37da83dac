# JupyterHub configuration of the classroom hub. Started by `python -m dockhelpers classroom up`, which
# writes the settings this file reads (DKC_HUB_SETTINGS: roster, address, lab image, limits, tokens).
# Every student gets a lab container from the course's lab image, with its own Docker engine inside.
import json
import os
import sys

import docker

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

S = json.load(open(os.environ["DKC_HUB_SETTINGS"], encoding="utf-8"))
LABELS = S["labels"]
STUDENT_LABEL = "kr.dockercourse.student"

# --- where the hub listens: the public proxy on the teacher's address; the hub API on the students'
# network gateway (labs call it); the proxy's API on loopback.
c.JupyterHub.bind_url = f"{'https' if S.get('ssl_cert') else 'http'}://{S['address']}:{S['port']}"
if S.get("ssl_cert"):  # HTTPS on the public address (the teacher's certificate, `classroom up --ssl-cert --ssl-key`)
    c.JupyterHub.ssl_cert = S["ssl_cert"]
    c.JupyterHub.ssl_key = S["ssl_key"]
c.JupyterHub.hub_bind_url = f"http://{S['gateway']}:{S['api_port']}"
c.JupyterHub.hub_connect_ip = S["gateway"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [S["chp"]]
c.ConfigurableHTTPProxy.pid_file = "jupyterhub-proxy.pid"
c.JupyterHub.cookie_secret_file = "jupyterhub_cookie_secret"
c.JupyterHub.db_url = "sqlite:///jupyterhub.sqlite"
c.JupyterHub.cleanup_servers = True

# --- accounts: the roster's names only; each sets a password at first login; teachers get the teacher role.
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.create_users = False
c.FirstUseAuthenticator.min_password_length = 6
c.Authenticator.allowed_users = set(S["students"]) | set(S["teachers"])
# Teachers are not JupyterHub admins (whose role includes access:servers, i.e. entering every student's lab):
# the `teacher` role below lets them see and start/stop labs, use the admin page and the dashboard, no more.
TEACHER_SCOPES = ["admin-ui", "list:users", "read:users", "admin:servers", "access:services!service=dashboard"]


def _default_url(handler):
    """After login: teachers to the dashboard (no lab of their own is started), students to their lab."""
    user = handler.current_user
    return "/services/dashboard/" if user is not None and user.name in S["teachers"] else "/hub/spawn"


c.JupyterHub.default_url = _default_url

# --- one lab container per student (DockerSpawner)
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = S["image"]
c.DockerSpawner.pull_policy = "never"
c.DockerSpawner.cmd = ["jupyterhub-singleuser"]
c.DockerSpawner.network_name = S["network"]
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.name_template = S["lab_prefix"] + "-{username}"
c.DockerSpawner.remove = True  # the container goes on stop; its two volumes stay (home, engine data)
c.DockerSpawner.notebook_dir = "/home/learner/work"  # the lab image's copy of the notebooks (in the home volume)
c.DockerSpawner.volumes = {
    S["lab_prefix"] + "-{username}-home": "/home/learner",
    S["lab_prefix"] + "-{username}-docker": "/var/lib/docker",
}
c.DockerSpawner.cpu_limit = float(S["cpu"])
c.DockerSpawner.mem_limit = S["memory"]
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
c.Spawner.default_url = "/lab"
c.Spawner.args = list(S.get("lab_args", []))  # DOCKHELPERS_HUB_LAB_ARGS (the tests expose the lab's app object)
c.Spawner.environment = {
    # the lab image's entrypoint gives these to the student's own engine (dockerd --registry-mirror ...)
    "DOCKHELPERS_REGISTRY_MIRROR": S["mirror"],
    "DOCKHELPERS_CLASSROOM": S["prefix"],
}
if S["mode"] == "privileged":
    c.DockerSpawner.extra_host_config = {"privileged": True}
else:  # the Swarm lab's capability set (notebooks/ch03/lab/compose.capabilities.yaml)
    c.DockerSpawner.extra_host_config = {
        "cap_add": ["ALL"], "cap_drop": ["SYS_RESOURCE"],
        "security_opt": ["seccomp=unconfined", "apparmor=unconfined"],
    }
    # (a bind, not extra_host_config["binds"]: that list would replace the volumes' binds)
    c.DockerSpawner.volumes["/sys/fs/cgroup"] = {"bind": "/sys/fs/cgroup", "mode": "rw"}


def _labels(spawner):
    return {**LABELS, STUDENT_LABEL: spawner.user.name}


def _create_kwargs(spawner):
    extra = {"labels": _labels(spawner)}
    if S["mode"] != "privileged":
        # `--security-opt systempaths=unconfined` is a CLI form; the API takes empty masked/read-only path lists.
        extra["host_config"] = {"MaskedPaths": [], "ReadonlyPaths": []}
    return extra


c.DockerSpawner.extra_create_kwargs = _create_kwargs


def pre_spawn_hook(spawner):
    """Create the student's two volumes with the hub's labels (docker would create them unlabelled)."""
    client = docker.from_env()
    for name in (S["lab_prefix"] + f"-{spawner.user.name}-home", S["lab_prefix"] + f"-{spawner.user.name}-docker"):
        try:
            client.volumes.get(name)
        except docker.errors.NotFound:
            client.volumes.create(name, labels=_labels(spawner))


c.Spawner.pre_spawn_hook = pre_spawn_hook

# --- services: the idle culler, the teacher dashboard, and the admin token of `classroom status` and tests
c.JupyterHub.services = [
    {"name": "idle-culler",
     "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={int(S['idle_timeout'])}",
                 "--cull-every=60"]},
    {"name": "dashboard", "url": f"http://127.0.0.1:{S['dashboard_port']}",
     "command": [sys.executable, os.path.join(S["root"], "classroom", "dashboard.py")],
     "oauth_no_confirm": True,
     # the dashboard finds the hub's labs by the same prefix, state folder and engine as the hub
     "environment": {"DKC_HUB_SETTINGS": os.environ["DKC_HUB_SETTINGS"], "PYTHONPATH": S["root"],
                     **{k: os.environ[k] for k in ("DOCKHELPERS_PREFIX", "DOCKHELPERS_PORT_OFFSET", "DOCKHELPERS_HUB_STATE",
                                                   "DOCKER_HOST", "DOCKER_CONTEXT", "NO_PROXY", "no_proxy", "HOME")
                        if k in os.environ}}},
    {"name": "teacher-tools", "api_token": S["admin_token"]},
]
c.JupyterHub.load_roles = [
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
    {"name": "dashboard", "services": ["dashboard"], "scopes": ["list:users", "read:users", "read:servers"]},
    {"name": "admin", "services": ["teacher-tools"]},
    {"name": "teacher", "users": sorted(S["teachers"]), "scopes": TEACHER_SCOPES},
]
