namespace Skiff.Api.Protobuf;

/// <summary>
/// The facts table behind <see cref="ProtoFieldTable"/>, kept as C# text so it ships inside the assembly
/// without a resource entry. Written for Skiff; see the header lines for the sources and the format.
/// </summary>
internal static class ProtoFieldFacts
{
    public const string Text = """
# Kubernetes protobuf field numbers, a table of facts written for Skiff (no upstream text).
# Read from: kubernetes/api core/v1/generated.proto @35f2b3a24dcfdb74ee45e2ddc8d44d6cc9732aa6,
#   kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto
#   @779e95a083caa70ff94ce8668841112ba661fe60 and spotmaxtech/k8s-apimachinery-v0260 @64429bdd60707e12b7891fc754b604f1bc72832b;
#   networking/v1 checked against kubernetes/api @426b1b9979354bee48c10e727c46eb9b5a7bbc95;
#   certificates/v1 checked against kubernetes/api @50d37ad2625f7ae1c3518c389e693fbd444065a4; authorization/v1 against
#   kubernetes/kubernetes staging @eb7be2699bcbecb2703d3c046b27c2a8e8b1b6dd (field/label selector attributes are later);
#   autoscaling/v2 checked against kubernetes/api @3fecd54e66d608d8b6b563957348affe87eb2f17;
#   apps/v1 checked against kubernetes/kubernetes staging @0122c43a017029d0572474da5a6382e1463f9710 and newer core/v1
#   messages against @0032f46b5dcb893b0684679408a2da9bd26a0859; batch/v1 against @42e06c58c73dbb308d3c4a7f37bfd58587833018 (1.21).
# Not read at a commit (rbac/v1, policy/v1, scheduling/v1, autoscaling/v1, authentication/v1, coordination/v1, later
#   batch/v1 and a few 1.3x core fields): written from knowledge of the releases, and proven wherever real kubectl
#   sends them (tests/Skiff.Api.Tests/Protobuf/KubectlCaptureTests).
#
# Format: "@<definition prefix>" sets the package; then one message per line:
#   <Message> <jsonName>=<number>[suffix] ...
# Types come from the OpenAPI schema (Skiff.Api.Schema) by JSON name; a suffix says what the schema cannot:
#   *       a Go pointer: present on the wire means set, so a zero value is kept
#   ^Type   an inlined Go struct (json:",inline"): its fields are merged into the parent object
#   %d      metav1.Duration (int64 nanoseconds on the wire, "1m30s" in JSON)
#   ~       a list carried in a wrapper message (items=1), e.g. metav1.Verbs

@io.k8s.apimachinery.pkg.apis.meta.v1
ObjectMeta name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7 creationTimestamp=8 deletionTimestamp=9 deletionGracePeriodSeconds=10* labels=11 annotations=12 ownerReferences=13 finalizers=14 managedFields=17
ListMeta selfLink=1 resourceVersion=2 continue=3 remainingItemCount=4*
OwnerReference kind=1 name=3 uid=4 apiVersion=5 controller=6* blockOwnerDeletion=7*
ManagedFieldsEntry manager=1 operation=2 apiVersion=3 time=4 fieldsType=6 fieldsV1=7 subresource=8
LabelSelector matchLabels=1 matchExpressions=2
LabelSelectorRequirement key=1 operator=2 values=3
Condition type=1 status=2 observedGeneration=3 lastTransitionTime=4 reason=5 message=6
Status metadata=1 status=2 message=3 reason=4 details=5 code=6
StatusDetails name=1 group=2 kind=3 causes=4 retryAfterSeconds=5 uid=6
StatusCause reason=1 message=2 field=3
Preconditions uid=1* resourceVersion=2*
DeleteOptions gracePeriodSeconds=1* preconditions=2 orphanDependents=3* propagationPolicy=4* dryRun=5 ignoreStoreReadErrorWithClusterBreakingPotential=6*
CreateOptions dryRun=1 fieldManager=3 fieldValidation=4
PatchOptions dryRun=1 force=2* fieldManager=3 fieldValidation=4
UpdateOptions dryRun=1 fieldManager=2 fieldValidation=3
GroupVersionForDiscovery groupVersion=1 version=2
ServerAddressByClientCIDR clientCIDR=1 serverAddress=2
APIGroup name=1 versions=2 preferredVersion=3 serverAddressByClientCIDRs=4
APIGroupList groups=1
APIResource name=1 namespaced=2 kind=3 verbs=4~ shortNames=5 singularName=6 categories=7 group=8 version=9 storageVersionHash=10
APIResourceList groupVersion=1 resources=2
APIVersions versions=1 serverAddressByClientCIDRs=2
FieldSelectorRequirement key=1 operator=2 values=3

@io.k8s.api.core.v1
AWSElasticBlockStoreVolumeSource volumeID=1 fsType=2 partition=3 readOnly=4
Affinity nodeAffinity=1 podAffinity=2 podAntiAffinity=3
AppArmorProfile type=1 localhostProfile=2*
AttachedVolume name=1 devicePath=2
AzureDiskVolumeSource diskName=1 diskURI=2 cachingMode=3* fsType=4* readOnly=5* kind=6*
AzureFilePersistentVolumeSource secretName=1 shareName=2 readOnly=3 secretNamespace=4*
AzureFileVolumeSource secretName=1 shareName=2 readOnly=3
Binding metadata=1 target=2
CSIPersistentVolumeSource driver=1 volumeHandle=2 readOnly=3 fsType=4 volumeAttributes=5 controllerPublishSecretRef=6 nodeStageSecretRef=7 nodePublishSecretRef=8 controllerExpandSecretRef=9 nodeExpandSecretRef=10
CSIVolumeSource driver=1 readOnly=2* fsType=3* volumeAttributes=4 nodePublishSecretRef=5
Capabilities add=1 drop=2
CephFSPersistentVolumeSource monitors=1 path=2 user=3 secretFile=4 secretRef=5 readOnly=6
CephFSVolumeSource monitors=1 path=2 user=3 secretFile=4 secretRef=5 readOnly=6
CinderPersistentVolumeSource volumeID=1 fsType=2 readOnly=3 secretRef=4
CinderVolumeSource volumeID=1 fsType=2 readOnly=3 secretRef=4
ClientIPConfig timeoutSeconds=1*
ClusterTrustBundleProjection name=1* signerName=2* labelSelector=3 path=4 optional=5*
ComponentCondition type=1 status=2 message=3 error=4
ComponentStatus metadata=1 conditions=2
ConfigMap metadata=1 data=2 binaryData=3 immutable=4*
ConfigMapEnvSource localObjectReference=1^LocalObjectReference optional=2*
ConfigMapKeySelector localObjectReference=1^LocalObjectReference key=2 optional=3*
ConfigMapNodeConfigSource namespace=1 name=2 uid=3 resourceVersion=4 kubeletConfigKey=5
ConfigMapProjection localObjectReference=1^LocalObjectReference items=2 optional=4*
ConfigMapVolumeSource localObjectReference=1^LocalObjectReference items=2 defaultMode=3* optional=4*
Container name=1 image=2 command=3 args=4 workingDir=5 ports=6 env=7 resources=8 volumeMounts=9 livenessProbe=10 readinessProbe=11 lifecycle=12 terminationMessagePath=13 imagePullPolicy=14 securityContext=15 stdin=16 stdinOnce=17 tty=18 envFrom=19 terminationMessagePolicy=20 volumeDevices=21 startupProbe=22 resizePolicy=23 restartPolicy=24* restartPolicyRules=25
ContainerImage names=1 sizeBytes=2
ContainerPort name=1 hostPort=2 containerPort=3 protocol=4 hostIP=5
ContainerResizePolicy resourceName=1 restartPolicy=2
ContainerRestartRule action=1 exitCodes=2
ContainerRestartRuleOnExitCodes operator=1 values=2
ContainerUser linux=1
ContainerState waiting=1 running=2 terminated=3
ContainerStateRunning startedAt=1
ContainerStateTerminated exitCode=1 signal=2 reason=3 message=4 startedAt=5 finishedAt=6 containerID=7
ContainerStateWaiting reason=1 message=2
ContainerStatus name=1 state=2 lastState=3 ready=4 restartCount=5 image=6 imageID=7 containerID=8 started=9* allocatedResources=10 resources=11 user=13 stopSignal=15*
DaemonEndpoint Port=1
DownwardAPIProjection items=1
DownwardAPIVolumeFile path=1 fieldRef=2 resourceFieldRef=3 mode=4*
DownwardAPIVolumeSource items=1 defaultMode=2*
EmptyDirVolumeSource medium=1 sizeLimit=2
EndpointAddress ip=1 targetRef=2 hostname=3 nodeName=4*
EndpointPort name=1 port=2 protocol=3 appProtocol=4*
EndpointSubset addresses=1 notReadyAddresses=2 ports=3
Endpoints metadata=1 subsets=2
EnvFromSource prefix=1 configMapRef=2 secretRef=3
EnvVar name=1 value=2 valueFrom=3
EnvVarSource fieldRef=1 resourceFieldRef=2 configMapKeyRef=3 secretKeyRef=4 fileKeyRef=5
EphemeralContainer ephemeralContainerCommon=1^EphemeralContainerCommon targetContainerName=2
EphemeralContainerCommon name=1 image=2 command=3 args=4 workingDir=5 ports=6 env=7 resources=8 volumeMounts=9 livenessProbe=10 readinessProbe=11 lifecycle=12 terminationMessagePath=13 imagePullPolicy=14 securityContext=15 stdin=16 stdinOnce=17 tty=18 envFrom=19 terminationMessagePolicy=20 volumeDevices=21 startupProbe=22 resizePolicy=23 restartPolicy=24* restartPolicyRules=25
EphemeralVolumeSource volumeClaimTemplate=1
Event metadata=1 involvedObject=2 reason=3 message=4 source=5 firstTimestamp=6 lastTimestamp=7 count=8 type=9 eventTime=10 series=11 action=12 related=13 reportingComponent=14 reportingInstance=15
EventSeries count=1 lastObservedTime=2
EventSource component=1 host=2
ExecAction command=1
FileKeySelector volumeName=1 path=2 key=3 optional=4*
FCVolumeSource targetWWNs=1 lun=2* fsType=3 readOnly=4 wwids=5
FlexPersistentVolumeSource driver=1 fsType=2 secretRef=3 readOnly=4 options=5
FlexVolumeSource driver=1 fsType=2 secretRef=3 readOnly=4 options=5
FlockerVolumeSource datasetName=1 datasetUUID=2
GCEPersistentDiskVolumeSource pdName=1 fsType=2 partition=3 readOnly=4
GRPCAction port=1 service=2*
GitRepoVolumeSource repository=1 revision=2 directory=3
GlusterfsPersistentVolumeSource endpoints=1 path=2 readOnly=3 endpointsNamespace=4*
GlusterfsVolumeSource endpoints=1 path=2 readOnly=3
HTTPGetAction path=1 port=2 host=3 scheme=4 httpHeaders=5
HTTPHeader name=1 value=2
HostAlias ip=1 hostnames=2
HostIP ip=1
HostPathVolumeSource path=1 type=2*
ISCSIPersistentVolumeSource targetPortal=1 iqn=2 lun=3 iscsiInterface=4 fsType=5 readOnly=6 portals=7 chapAuthDiscovery=8 secretRef=10 chapAuthSession=11 initiatorName=12*
ISCSIVolumeSource targetPortal=1 iqn=2 lun=3 iscsiInterface=4 fsType=5 readOnly=6 portals=7 chapAuthDiscovery=8 secretRef=10 chapAuthSession=11 initiatorName=12*
ImageVolumeSource reference=1 pullPolicy=2
ImageVolumeStatus imageRef=1
LinuxContainerUser uid=1 gid=2 supplementalGroups=3
KeyToPath key=1 path=2 mode=3*
Lifecycle postStart=1 preStop=2 stopSignal=3*
LifecycleHandler exec=1 httpGet=2 tcpSocket=3 sleep=4
LimitRange metadata=1 spec=2
LimitRangeItem type=1 max=2 min=3 default=4 defaultRequest=5 maxLimitRequestRatio=6
LimitRangeSpec limits=1
LoadBalancerIngress ip=1 hostname=2 ipMode=3* ports=4
LoadBalancerStatus ingress=1
LocalObjectReference name=1
LocalVolumeSource path=1 fsType=2*
NFSVolumeSource server=1 path=2 readOnly=3
Namespace metadata=1 spec=2 status=3
NamespaceCondition type=1 status=2 lastTransitionTime=4 reason=5 message=6
NamespaceSpec finalizers=1
NamespaceStatus phase=1 conditions=2
Node metadata=1 spec=2 status=3
NodeAddress type=1 address=2
NodeAffinity requiredDuringSchedulingIgnoredDuringExecution=1 preferredDuringSchedulingIgnoredDuringExecution=2
NodeCondition type=1 status=2 lastHeartbeatTime=3 lastTransitionTime=4 reason=5 message=6
NodeConfigSource configMap=2
NodeConfigStatus assigned=1 active=2 lastKnownGood=3 error=4
NodeDaemonEndpoints kubeletEndpoint=1
NodeFeatures supplementalGroupsPolicy=1*
NodeRuntimeHandler name=1 features=2
NodeRuntimeHandlerFeatures recursiveReadOnlyMounts=1* userNamespaces=2*
NodeSwapStatus capacity=1*
NodeSelector nodeSelectorTerms=1
NodeSelectorRequirement key=1 operator=2 values=3
NodeSelectorTerm matchExpressions=1 matchFields=2
NodeSpec podCIDR=1 externalID=2 providerID=3 unschedulable=4 taints=5 configSource=6 podCIDRs=7
NodeStatus capacity=1 allocatable=2 phase=3 conditions=4 addresses=5 daemonEndpoints=6 nodeInfo=7 images=8 volumesInUse=9 volumesAttached=10 config=11 runtimeHandlers=12 features=13
NodeSystemInfo machineID=1 systemUUID=2 bootID=3 kernelVersion=4 osImage=5 containerRuntimeVersion=6 kubeletVersion=7 kubeProxyVersion=8 operatingSystem=9 architecture=10 swap=11
ObjectFieldSelector apiVersion=1 fieldPath=2
ObjectReference kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7
PersistentVolume metadata=1 spec=2 status=3
ModifyVolumeStatus targetVolumeAttributesClassName=1 status=2
PersistentVolumeClaim metadata=1 spec=2 status=3
PersistentVolumeClaimCondition type=1 status=2 lastProbeTime=3 lastTransitionTime=4 reason=5 message=6
PersistentVolumeClaimSpec accessModes=1 resources=2 volumeName=3 selector=4 storageClassName=5* volumeMode=6* dataSource=7 dataSourceRef=8 volumeAttributesClassName=9*
PersistentVolumeClaimStatus phase=1 accessModes=2 capacity=3 conditions=4 allocatedResources=5 allocatedResourceStatuses=7 currentVolumeAttributesClassName=8* modifyVolumeStatus=9
PersistentVolumeClaimTemplate metadata=1 spec=2
PersistentVolumeClaimVolumeSource claimName=1 readOnly=2
PersistentVolumeSource gcePersistentDisk=1 awsElasticBlockStore=2 hostPath=3 glusterfs=4 nfs=5 rbd=6 iscsi=7 cinder=8 cephfs=9 fc=10 flocker=11 flexVolume=12 azureFile=13 vsphereVolume=14 quobyte=15 azureDisk=16 photonPersistentDisk=17 portworxVolume=18 scaleIO=19 local=20 storageos=21 csi=22
PersistentVolumeSpec capacity=1 persistentVolumeSource=2^PersistentVolumeSource accessModes=3 claimRef=4 persistentVolumeReclaimPolicy=5 storageClassName=6 mountOptions=7 volumeMode=8* nodeAffinity=9 volumeAttributesClassName=10*
PersistentVolumeStatus phase=1 message=2 reason=3 lastPhaseTransitionTime=4
PhotonPersistentDiskVolumeSource pdID=1 fsType=2
Pod metadata=1 spec=2 status=3
PodAffinity requiredDuringSchedulingIgnoredDuringExecution=1 preferredDuringSchedulingIgnoredDuringExecution=2
PodAffinityTerm labelSelector=1 namespaces=2 topologyKey=3 namespaceSelector=4 matchLabelKeys=5 mismatchLabelKeys=6
PodAntiAffinity requiredDuringSchedulingIgnoredDuringExecution=1 preferredDuringSchedulingIgnoredDuringExecution=2
PodCondition type=1 status=2 lastProbeTime=3 lastTransitionTime=4 reason=5 message=6 observedGeneration=7
PodDNSConfig nameservers=1 searches=2 options=3
PodDNSConfigOption name=1 value=2*
PodIP ip=1
PodOS name=1
PodReadinessGate conditionType=1
PodResourceClaimStatus name=1 resourceClaimName=2*
PodResourceClaim name=1 resourceClaimName=3* resourceClaimTemplateName=4*
PodSchedulingGate name=1
PodSecurityContext seLinuxOptions=1 runAsUser=2* runAsNonRoot=3* supplementalGroups=4 fsGroup=5* runAsGroup=6* sysctls=7 windowsOptions=8 fsGroupChangePolicy=9* seccompProfile=10 appArmorProfile=11 supplementalGroupsPolicy=12* seLinuxChangePolicy=13*
PodSpec volumes=1 containers=2 restartPolicy=3 terminationGracePeriodSeconds=4* activeDeadlineSeconds=5* dnsPolicy=6 nodeSelector=7 serviceAccountName=8 serviceAccount=9 nodeName=10 hostNetwork=11 hostPID=12 hostIPC=13 securityContext=14 imagePullSecrets=15 hostname=16 subdomain=17 affinity=18 schedulerName=19 initContainers=20 automountServiceAccountToken=21* tolerations=22 hostAliases=23 priorityClassName=24 priority=25* dnsConfig=26 shareProcessNamespace=27* readinessGates=28 runtimeClassName=29* enableServiceLinks=30* preemptionPolicy=31* overhead=32 topologySpreadConstraints=33 ephemeralContainers=34 setHostnameAsFQDN=35* os=36 hostUsers=37* schedulingGates=38 resourceClaims=39 resources=40 hostnameOverride=41*
PodStatus phase=1 conditions=2 message=3 reason=4 hostIP=5 podIP=6 startTime=7 containerStatuses=8 qosClass=9 initContainerStatuses=10 nominatedNodeName=11 podIPs=12 ephemeralContainerStatuses=13 resize=14 resourceClaimStatuses=15 hostIPs=16 observedGeneration=17
PodTemplate metadata=1 template=2
PodTemplateSpec metadata=1 spec=2
PortStatus port=1 protocol=2 error=3*
PortworxVolumeSource volumeID=1 fsType=2 readOnly=3
PreferredSchedulingTerm weight=1 preference=2
Probe handler=1^ProbeHandler initialDelaySeconds=2 timeoutSeconds=3 periodSeconds=4 successThreshold=5 failureThreshold=6 terminationGracePeriodSeconds=7*
ProbeHandler exec=1 httpGet=2 tcpSocket=3 grpc=4
ProjectedVolumeSource sources=1 defaultMode=2*
QuobyteVolumeSource registry=1 volume=2 readOnly=3 user=4 group=5 tenant=6
RBDPersistentVolumeSource monitors=1 image=2 fsType=3 pool=4 user=5 keyring=6 secretRef=7 readOnly=8
RBDVolumeSource monitors=1 image=2 fsType=3 pool=4 user=5 keyring=6 secretRef=7 readOnly=8
ReplicationController metadata=1 spec=2 status=3
ReplicationControllerCondition type=1 status=2 lastTransitionTime=3 reason=4 message=5
ReplicationControllerSpec replicas=1* selector=2 template=3 minReadySeconds=4
ReplicationControllerStatus replicas=1 fullyLabeledReplicas=2 observedGeneration=3 readyReplicas=4 availableReplicas=5 conditions=6
ResourceClaim name=1 request=2
ResourceFieldSelector containerName=1 resource=2 divisor=3
ResourceQuota metadata=1 spec=2 status=3
ResourceQuotaSpec hard=1 scopes=2 scopeSelector=3
ResourceQuotaStatus hard=1 used=2
ResourceRequirements limits=1 requests=2 claims=3
SELinuxOptions user=1 role=2 type=3 level=4
ScaleIOPersistentVolumeSource gateway=1 system=2 secretRef=3 sslEnabled=4 protectionDomain=5 storagePool=6 storageMode=7 volumeName=8 fsType=9 readOnly=10
ScaleIOVolumeSource gateway=1 system=2 secretRef=3 sslEnabled=4 protectionDomain=5 storagePool=6 storageMode=7 volumeName=8 fsType=9 readOnly=10
ScopeSelector matchExpressions=1
ScopedResourceSelectorRequirement scopeName=1 operator=2 values=3
SeccompProfile type=1 localhostProfile=2*
Secret metadata=1 data=2 type=3 stringData=4 immutable=5*
SecretEnvSource localObjectReference=1^LocalObjectReference optional=2*
SecretKeySelector localObjectReference=1^LocalObjectReference key=2 optional=3*
SecretProjection localObjectReference=1^LocalObjectReference items=2 optional=4*
SecretReference name=1 namespace=2
SecretVolumeSource secretName=1 items=2 defaultMode=3* optional=4*
SecurityContext capabilities=1 privileged=2* seLinuxOptions=3 runAsUser=4* runAsNonRoot=5* readOnlyRootFilesystem=6* allowPrivilegeEscalation=7* runAsGroup=8* procMount=9* windowsOptions=10 seccompProfile=11 appArmorProfile=12
Service metadata=1 spec=2 status=3
ServiceAccount metadata=1 secrets=2 imagePullSecrets=3 automountServiceAccountToken=4*
ServiceAccountTokenProjection audience=1 expirationSeconds=2* path=3
ServicePort name=1 protocol=2 port=3 targetPort=4 nodePort=5 appProtocol=6*
ServiceSpec ports=1 selector=2 clusterIP=3 type=4 externalIPs=5 sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9 externalName=10 externalTrafficPolicy=11 healthCheckNodePort=12 publishNotReadyAddresses=13 sessionAffinityConfig=14 topologyKeys=16 ipFamilyPolicy=17* clusterIPs=18 ipFamilies=19 allocateLoadBalancerNodePorts=20* loadBalancerClass=21* internalTrafficPolicy=22* trafficDistribution=23*
ServiceStatus loadBalancer=1 conditions=2
SessionAffinityConfig clientIP=1
SleepAction seconds=1
StorageOSPersistentVolumeSource volumeName=1 volumeNamespace=2 fsType=3 readOnly=4 secretRef=5
StorageOSVolumeSource volumeName=1 volumeNamespace=2 fsType=3 readOnly=4 secretRef=5
Sysctl name=1 value=2
TCPSocketAction port=1 host=2
Taint key=1 value=2 effect=3 timeAdded=4
Toleration key=1 operator=2 value=3 effect=4 tolerationSeconds=5*
TopologySelectorLabelRequirement key=1 values=2
TopologySelectorTerm matchLabelExpressions=1
TopologySpreadConstraint maxSkew=1 topologyKey=2 whenUnsatisfiable=3 labelSelector=4 minDomains=5* nodeAffinityPolicy=6* nodeTaintsPolicy=7* matchLabelKeys=8
TypedLocalObjectReference apiGroup=1* kind=2 name=3
TypedObjectReference apiGroup=1* kind=2 name=3 namespace=4*
Volume name=1 volumeSource=2^VolumeSource
VolumeDevice name=1 devicePath=2
VolumeMount name=1 readOnly=2 mountPath=3 subPath=4 mountPropagation=5* subPathExpr=6 recursiveReadOnly=7*
VolumeNodeAffinity required=1
VolumeProjection secret=1 downwardAPI=2 configMap=3 serviceAccountToken=4 clusterTrustBundle=5
VolumeResourceRequirements limits=1 requests=2
VolumeStatus image=1
VolumeSource hostPath=1 emptyDir=2 gcePersistentDisk=3 awsElasticBlockStore=4 gitRepo=5 secret=6 nfs=7 iscsi=8 glusterfs=9 persistentVolumeClaim=10 rbd=11 flexVolume=12 cinder=13 cephfs=14 flocker=15 downwardAPI=16 fc=17 azureFile=18 configMap=19 vsphereVolume=20 quobyte=21 azureDisk=22 photonPersistentDisk=23 portworxVolume=24 scaleIO=25 projected=26 storageos=27 csi=28 ephemeral=29 image=30
VsphereVirtualDiskVolumeSource volumePath=1 fsType=2 storagePolicyName=3 storagePolicyID=4
WeightedPodAffinityTerm weight=1 podAffinityTerm=2
WindowsSecurityContextOptions gmsaCredentialSpecName=1* gmsaCredentialSpec=2* runAsUserName=3* hostProcess=4*

@io.k8s.api.apps.v1
ControllerRevision metadata=1 data=2 revision=3
DaemonSet metadata=1 spec=2 status=3
DaemonSetCondition type=1 status=2 lastTransitionTime=3 reason=4 message=5
DaemonSetSpec selector=1 template=2 updateStrategy=3 minReadySeconds=4 revisionHistoryLimit=6*
DaemonSetStatus currentNumberScheduled=1 numberMisscheduled=2 desiredNumberScheduled=3 numberReady=4 observedGeneration=5 updatedNumberScheduled=6 numberAvailable=7 numberUnavailable=8 collisionCount=9* conditions=10
DaemonSetUpdateStrategy type=1 rollingUpdate=2
Deployment metadata=1 spec=2 status=3
DeploymentCondition type=1 status=2 reason=4 message=5 lastUpdateTime=6 lastTransitionTime=7
DeploymentSpec replicas=1* selector=2 template=3 strategy=4 minReadySeconds=5 revisionHistoryLimit=6* paused=7 progressDeadlineSeconds=9*
DeploymentStatus observedGeneration=1 replicas=2 updatedReplicas=3 availableReplicas=4 unavailableReplicas=5 conditions=6 readyReplicas=7 collisionCount=8* terminatingReplicas=9*
DeploymentStrategy type=1 rollingUpdate=2
ReplicaSet metadata=1 spec=2 status=3
ReplicaSetCondition type=1 status=2 lastTransitionTime=3 reason=4 message=5
ReplicaSetSpec replicas=1* selector=2 template=3 minReadySeconds=4
ReplicaSetStatus replicas=1 fullyLabeledReplicas=2 observedGeneration=3 readyReplicas=4 availableReplicas=5 conditions=6 terminatingReplicas=7*
RollingUpdateDaemonSet maxUnavailable=1* maxSurge=2*
RollingUpdateDeployment maxUnavailable=1* maxSurge=2*
RollingUpdateStatefulSetStrategy partition=1* maxUnavailable=2*
StatefulSet metadata=1 spec=2 status=3
StatefulSetCondition type=1 status=2 lastTransitionTime=3 reason=4 message=5
StatefulSetOrdinals start=1
StatefulSetPersistentVolumeClaimRetentionPolicy whenDeleted=1 whenScaled=2
StatefulSetSpec replicas=1* selector=2 template=3 volumeClaimTemplates=4 serviceName=5 podManagementPolicy=6 updateStrategy=7 revisionHistoryLimit=8* minReadySeconds=9 persistentVolumeClaimRetentionPolicy=10 ordinals=11
StatefulSetStatus observedGeneration=1 replicas=2 readyReplicas=3 currentReplicas=4 updatedReplicas=5 currentRevision=6 updateRevision=7 collisionCount=9* conditions=10 availableReplicas=11
StatefulSetUpdateStrategy type=1 rollingUpdate=2

@io.k8s.api.batch.v1
CronJob metadata=1 spec=2 status=3
CronJobSpec schedule=1 startingDeadlineSeconds=2* concurrencyPolicy=3 suspend=4* jobTemplate=5 successfulJobsHistoryLimit=6* failedJobsHistoryLimit=7* timeZone=8*
CronJobStatus active=1 lastScheduleTime=4 lastSuccessfulTime=5
Job metadata=1 spec=2 status=3
JobCondition type=1 status=2 lastProbeTime=3 lastTransitionTime=4 reason=5 message=6
JobSpec parallelism=1* completions=2* activeDeadlineSeconds=3* selector=4 manualSelector=5* template=6 backoffLimit=7* ttlSecondsAfterFinished=8* completionMode=9* suspend=10* podFailurePolicy=11 backoffLimitPerIndex=12* maxFailedIndexes=13* podReplacementPolicy=14* managedBy=15* successPolicy=16
JobStatus conditions=1 startTime=2 completionTime=3 active=4 succeeded=5 failed=6 completedIndexes=7 uncountedTerminatedPods=8 ready=9* failedIndexes=10* terminating=11*
JobTemplateSpec metadata=1 spec=2
PodFailurePolicy rules=1
PodFailurePolicyOnExitCodesRequirement containerName=1* operator=2 values=3
PodFailurePolicyOnPodConditionsPattern type=1 status=2
PodFailurePolicyRule action=1 onExitCodes=2 onPodConditions=3
SuccessPolicy rules=1
SuccessPolicyRule succeededIndexes=1* succeededCount=2*
UncountedTerminatedPods succeeded=1 failed=2

@io.k8s.api.rbac.v1
AggregationRule clusterRoleSelectors=1
ClusterRole metadata=1 rules=2 aggregationRule=3
ClusterRoleBinding metadata=1 subjects=2 roleRef=3
PolicyRule verbs=1 apiGroups=2 resources=3 resourceNames=4 nonResourceURLs=5
Role metadata=1 rules=2
RoleBinding metadata=1 subjects=2 roleRef=3
RoleRef apiGroup=1 kind=2 name=3
Subject kind=1 apiGroup=2 name=3 namespace=4

@io.k8s.api.networking.v1
HTTPIngressPath path=1 backend=2 pathType=3*
HTTPIngressRuleValue paths=1
IPBlock cidr=1 except=2
Ingress metadata=1 spec=2 status=3
IngressBackend resource=3 service=4
IngressClass metadata=1 spec=2
IngressClassParametersReference apiGroup=1* kind=2 name=3 scope=4* namespace=5*
IngressClassSpec controller=1 parameters=2
IngressLoadBalancerIngress ip=1 hostname=2 ports=4
IngressLoadBalancerStatus ingress=1
IngressPortStatus port=1 protocol=2 error=3*
IngressRule host=1 ingressRuleValue=2^IngressRuleValue
IngressRuleValue http=1
IngressServiceBackend name=1 port=2
IngressSpec defaultBackend=1 tls=2 rules=3 ingressClassName=4*
IngressStatus loadBalancer=1
IngressTLS hosts=1 secretName=2
NetworkPolicy metadata=1 spec=2
NetworkPolicyEgressRule ports=1 to=2
NetworkPolicyIngressRule ports=1 from=2
NetworkPolicyPeer podSelector=1 namespaceSelector=2 ipBlock=3
NetworkPolicyPort protocol=1* port=2* endPort=3*
NetworkPolicySpec podSelector=1 ingress=2 egress=3 policyTypes=4
ParentReference group=1 resource=2 namespace=3 name=4
ServiceBackendPort name=1 number=2
ServiceCIDR metadata=1 spec=2 status=3
ServiceCIDRSpec cidrs=1
ServiceCIDRStatus conditions=1
IPAddress metadata=1 spec=2
IPAddressSpec parentRef=1

@io.k8s.api.policy.v1
Eviction metadata=1 deleteOptions=2
PodDisruptionBudget metadata=1 spec=2 status=3
PodDisruptionBudgetSpec minAvailable=1* selector=2 maxUnavailable=3* unhealthyPodEvictionPolicy=4*
PodDisruptionBudgetStatus observedGeneration=1 disruptedPods=2 disruptionsAllowed=3 currentHealthy=4 desiredHealthy=5 expectedPods=6 conditions=7

@io.k8s.api.scheduling.v1
PriorityClass metadata=1 value=2 globalDefault=3 description=4 preemptionPolicy=5*

@io.k8s.api.autoscaling.v1
CrossVersionObjectReference kind=1 name=2 apiVersion=3
HorizontalPodAutoscaler metadata=1 spec=2 status=3
HorizontalPodAutoscalerSpec scaleTargetRef=1 minReplicas=2* maxReplicas=3 targetCPUUtilizationPercentage=4*
HorizontalPodAutoscalerStatus observedGeneration=1* lastScaleTime=2 currentReplicas=3 desiredReplicas=4 currentCPUUtilizationPercentage=5*
Scale metadata=1 spec=2 status=3
ScaleSpec replicas=1
ScaleStatus replicas=1 selector=2

@io.k8s.api.autoscaling.v2
ContainerResourceMetricSource name=1 target=2 container=3
ContainerResourceMetricStatus name=1 current=2 container=3
CrossVersionObjectReference kind=1 name=2 apiVersion=3
ExternalMetricSource metric=1 target=2
ExternalMetricStatus metric=1 current=2
HPAScalingPolicy type=1 value=2 periodSeconds=3
HPAScalingRules selectPolicy=1* policies=2 stabilizationWindowSeconds=3* tolerance=4
HorizontalPodAutoscaler metadata=1 spec=2 status=3
HorizontalPodAutoscalerBehavior scaleUp=1 scaleDown=2
HorizontalPodAutoscalerCondition type=1 status=2 lastTransitionTime=3 reason=4 message=5
HorizontalPodAutoscalerSpec scaleTargetRef=1 minReplicas=2* maxReplicas=3 metrics=4 behavior=5
HorizontalPodAutoscalerStatus observedGeneration=1* lastScaleTime=2 currentReplicas=3 desiredReplicas=4 currentMetrics=5 conditions=6
MetricIdentifier name=1 selector=2
MetricSpec type=1 object=2 pods=3 resource=4 external=5 containerResource=7
MetricStatus type=1 object=2 pods=3 resource=4 external=5 containerResource=7
MetricTarget type=1 value=2 averageValue=3 averageUtilization=4*
MetricValueStatus value=1 averageValue=2 averageUtilization=3*
ObjectMetricSource describedObject=1 target=2 metric=3
ObjectMetricStatus metric=1 current=2 describedObject=3
PodsMetricSource metric=1 target=2
PodsMetricStatus metric=1 current=2
ResourceMetricSource name=1 target=2
ResourceMetricStatus name=1 current=2

@io.k8s.api.authentication.v1
BoundObjectReference kind=1 apiVersion=2 name=3 uid=4
SelfSubjectReview metadata=1 status=2
SelfSubjectReviewStatus userInfo=1
TokenRequest metadata=1 spec=2 status=3
TokenRequestSpec audiences=1 boundObjectRef=3 expirationSeconds=4*
TokenRequestStatus token=1 expirationTimestamp=2
TokenReview metadata=1 spec=2 status=3
TokenReviewSpec token=1 audiences=2
TokenReviewStatus authenticated=1 user=2 error=3 audiences=4
UserInfo username=1 uid=2 groups=3 extra=4

@io.k8s.api.authorization.v1
FieldSelectorAttributes rawSelector=1 requirements=2
LabelSelectorAttributes rawSelector=1 requirements=2
LocalSubjectAccessReview metadata=1 spec=2 status=3
NonResourceAttributes path=1 verb=2
NonResourceRule verbs=1 nonResourceURLs=2
ResourceAttributes namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7 fieldSelector=8 labelSelector=9
ResourceRule verbs=1 apiGroups=2 resources=3 resourceNames=4
SelfSubjectAccessReview metadata=1 spec=2 status=3
SelfSubjectAccessReviewSpec resourceAttributes=1 nonResourceAttributes=2
SelfSubjectRulesReview metadata=1 spec=2 status=3
SelfSubjectRulesReviewSpec namespace=1
SubjectAccessReview metadata=1 spec=2 status=3
SubjectAccessReviewSpec resourceAttributes=1 nonResourceAttributes=2 user=3 groups=4 extra=5 uid=6
SubjectAccessReviewStatus allowed=1 reason=2 evaluationError=3 denied=4
SubjectRulesReviewStatus resourceRules=1 nonResourceRules=2 incomplete=3 evaluationError=4

@io.k8s.api.certificates.v1
CertificateSigningRequest metadata=1 spec=2 status=3
CertificateSigningRequestCondition type=1 reason=2 message=3 lastUpdateTime=4 lastTransitionTime=5 status=6
CertificateSigningRequestSpec request=1 username=2 uid=3 groups=4 usages=5 extra=6 signerName=7 expirationSeconds=8*
CertificateSigningRequestStatus conditions=1 certificate=2

@io.k8s.api.coordination.v1
Lease metadata=1 spec=2
LeaseSpec holderIdentity=1* leaseDurationSeconds=2* acquireTime=3 renewTime=4 leaseTransitions=5* strategy=6* preferredHolder=7*
""";
}
