namespace Skiff.Api.Tests.FieldValidation;

/// <summary>Bodies as kubectl sends them (YAML converted to JSON, last-applied annotation included).</summary>
internal static class Manifests
{
    public const string Deployment = """
        {
          "apiVersion": "apps/v1",
          "kind": "Deployment",
          "metadata": {
            "name": "web",
            "namespace": "default",
            "labels": {"app.kubernetes.io/name": "web", "tier": "frontend"},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"apps/v1\"}"}
          },
          "spec": {
            "replicas": 3,
            "revisionHistoryLimit": 5,
            "progressDeadlineSeconds": 600,
            "selector": {
              "matchLabels": {"app.kubernetes.io/name": "web"},
              "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend"]}]
            },
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {
              "metadata": {
                "labels": {"app.kubernetes.io/name": "web", "tier": "frontend"},
                "annotations": {"prometheus.io/scrape": "true"}
              },
              "spec": {
                "serviceAccountName": "web",
                "terminationGracePeriodSeconds": 30,
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}},
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}],
                "affinity": {
                  "podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [{
                      "weight": 100,
                      "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
                        "topologyKey": "kubernetes.io/hostname"
                      }
                    }]
                  }
                },
                "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}],
                "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "echo init"]}],
                "containers": [{
                  "name": "web",
                  "image": "nginx:1.27",
                  "imagePullPolicy": "IfNotPresent",
                  "args": ["--port", "8080"],
                  "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                  "env": [
                    {"name": "MODE", "value": "production"},
                    {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    {"name": "CPU_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
                    {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "web", "key": "password", "optional": true}}}
                  ],
                  "envFrom": [{"configMapRef": {"name": "web-config"}}],
                  "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": 1, "memory": "256Mi"}},
                  "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "initialDelaySeconds": 5, "periodSeconds": 10},
                  "livenessProbe": {"tcpSocket": {"port": 8080}, "failureThreshold": 3},
                  "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}},
                  "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
                  "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
                  "volumeMounts": [{"name": "config", "mountPath": "/etc/web", "readOnly": true}, {"name": "cache", "mountPath": "/var/cache"}]
                }],
                "volumes": [
                  {"name": "config", "configMap": {"name": "web-config", "items": [{"key": "nginx.conf", "path": "nginx.conf"}], "defaultMode": 420}},
                  {"name": "cache", "emptyDir": {"sizeLimit": "1Gi", "medium": ""}},
                  {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]}}
                ]
              }
            }
          }
        }
        """;
}
