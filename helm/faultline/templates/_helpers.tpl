{{/* Chart name, possibly overridden. */}}
{{- define "faultline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource name prefix: release-chart, or the release name when it already contains the chart name. */}}
{{- define "faultline.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "faultline.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "faultline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: faultline
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "ingestion"). */}}
{{- define "faultline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "faultline.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "faultline.componentLabels" -}}
{{ include "faultline.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "faultline.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "faultline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "faultline.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
What the chart knows about each component and users do not choose: the compiled entrypoint, the
variable the service reads its HTTP port from (libs/config/src/schemas) and that port, the
dependencies it connects to, and for the workers the topic and consumer group (for KEDA).
helm/faultline/tests check these against the schemas, the build and the consumers.
*/}}
{{- define "faultline.componentSpecs" -}}
ingestion:
  main: dist/apps/ingestion/src/main.js
  portVariable: INGESTION_PORT
  port: 8126
  portName: datadog
  extraPorts:
    - name: otlp-http
      variable: INGESTION_OTLP_PORT
      port: 4318
  uses: [kafka]
fingerprinter:
  main: dist/apps/fingerprinter/src/main.js
  portVariable: FINGERPRINTER_PORT
  port: 8127
  portName: http
  uses: [kafka, redis]
  consumer:
    topic: error-spans
    group: faultline-fingerprinter
aggregator:
  main: dist/apps/aggregator/src/main.js
  portVariable: AGGREGATOR_PORT
  port: 8128
  portName: http
  uses: [kafka, clickhouse, redis]
  consumer:
    topic: occurrences
    group: faultline-aggregator
gateway:
  main: dist/apps/gateway/src/main.js
  portVariable: GATEWAY_PORT
  port: 4000
  portName: http
  uses: [kafka, clickhouse, redis]
{{- end -}}

{{- define "faultline.clickhouseSecretName" -}}
{{- default (include "faultline.fullname" .) .Values.clickhouse.existingSecret -}}
{{- end -}}

{{- define "faultline.clickhouseSecretKey" -}}
{{- if .Values.clickhouse.existingSecret -}}{{ .Values.clickhouse.existingSecretPasswordKey }}{{- else -}}clickhouse-password{{- end -}}
{{- end -}}

{{- define "faultline.redisSecretName" -}}
{{- default (include "faultline.fullname" .) .Values.redis.existingSecret -}}
{{- end -}}

{{- define "faultline.redisSecretKey" -}}
{{- if .Values.redis.existingSecret -}}{{ .Values.redis.existingSecretPasswordKey }}{{- else -}}redis-password{{- end -}}
{{- end -}}

{{- define "faultline.redisHasPassword" -}}
{{- if or .Values.redis.existingSecret .Values.redis.password -}}true{{- end -}}
{{- end -}}

{{/*
REDIS_URL (after REDIS_PASSWORD when there is one: Kubernetes expands $(REDIS_PASSWORD) from the
earlier entry, so the password never appears in the manifest). Call with (dict "root" $ "secretName" name).
*/}}
{{- define "faultline.redisEnv" -}}
{{- $root := .root -}}
{{- $url := urlParse $root.Values.redis.url -}}
{{- if not (has $url.scheme (list "redis" "rediss")) -}}
{{- fail "redis.url must start with redis:// or rediss://" -}}
{{- end -}}
{{- if include "faultline.redisHasPassword" $root }}
{{- if $url.userinfo -}}
{{- fail "redis.url must not carry credentials when redis.password or redis.existingSecret is set" -}}
{{- end }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ include "faultline.redisSecretKey" $root }}
- name: REDIS_URL
  value: {{ printf "%s://%s:$(REDIS_PASSWORD)@%s%s" $url.scheme $root.Values.redis.username $url.host $url.path | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ $root.Values.redis.url | quote }}
{{- end }}
{{- end -}}

{{- define "faultline.clickhousePasswordEnv" -}}
- name: CLICKHOUSE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ include "faultline.clickhouseSecretKey" .root }}
{{- end -}}

{{- define "faultline.kafkaSaslSecretName" -}}
{{- default (include "faultline.fullname" .) .Values.kafka.sasl.existingSecret -}}
{{- end -}}

{{- define "faultline.kafkaSaslSecretKey" -}}
{{- if .Values.kafka.sasl.existingSecret -}}{{ .Values.kafka.sasl.existingSecretPasswordKey }}{{- else -}}kafka-sasl-password{{- end -}}
{{- end -}}

{{/* Where the Kafka CA (kafka.tls.caSecret) is mounted; KAFKA_SSL_CA_FILE points at ca.crt in it. */}}
{{- define "faultline.kafkaCaDir" -}}/etc/faultline/kafka-tls{{- end -}}

{{- define "faultline.kafkaCaMounted" -}}
{{- if .Values.kafka.tls.caSecret -}}
{{- if not .Values.kafka.tls.enabled -}}{{- fail "kafka.tls.caSecret needs kafka.tls.enabled=true" -}}{{- end -}}
true
{{- end -}}
{{- end -}}

{{/*
The Kafka and Redis connection settings that are not secret, as NAME: value (libs/config kafkaEnv,
redisEnv): the ConfigMap holds them for the services, the topic hook Job gets them inline (Kafka
ones only). values.schema.json keeps redis.sentinel and redis.cluster apart and the cluster on database 0.
*/}}
{{- define "faultline.connectionSettings" -}}
{{- $kafka := .Values.kafka -}}
KAFKA_SSL: {{ $kafka.tls.enabled | toString | quote }}
KAFKA_SSL_REJECT_UNAUTHORIZED: {{ $kafka.tls.rejectUnauthorized | toString | quote }}
{{- if include "faultline.kafkaCaMounted" . }}
KAFKA_SSL_CA_FILE: {{ printf "%s/ca.crt" (include "faultline.kafkaCaDir" .) | quote }}
{{- end }}
{{- if $kafka.sasl.mechanism }}
{{- if not (or $kafka.sasl.password $kafka.sasl.existingSecret) -}}
{{- fail "kafka.sasl.mechanism needs kafka.sasl.password or kafka.sasl.existingSecret" -}}
{{- end }}
KAFKA_SASL_MECHANISM: {{ $kafka.sasl.mechanism | quote }}
KAFKA_SASL_USERNAME: {{ required "kafka.sasl.username is required with kafka.sasl.mechanism" $kafka.sasl.username | quote }}
{{- end }}
{{- with .Values.redis.sentinel.hosts }}
REDIS_SENTINELS: {{ join "," . | quote }}
REDIS_SENTINEL_NAME: {{ required "redis.sentinel.masterName is required with redis.sentinel.hosts" $.Values.redis.sentinel.masterName | quote }}
{{- end }}
{{- with .Values.redis.cluster.nodes }}
REDIS_CLUSTER_NODES: {{ join "," . | quote }}
{{- end }}
{{- end -}}

{{/* KAFKA_SASL_PASSWORD from the Secret, when SASL is on. Call with (dict "root" $ "secretName" name). */}}
{{- define "faultline.kafkaSaslPasswordEnv" -}}
{{- if .root.Values.kafka.sasl.mechanism -}}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ include "faultline.kafkaSaslSecretKey" .root }}
{{- end -}}
{{- end -}}

{{/* The Kafka CA volume and its mount (render nothing without kafka.tls.caSecret). */}}
{{- define "faultline.kafkaCaVolume" -}}
{{- if include "faultline.kafkaCaMounted" . -}}
- name: kafka-tls-ca
  secret:
    secretName: {{ .Values.kafka.tls.caSecret }}
    items:
      - key: {{ .Values.kafka.tls.caSecretKey }}
        path: ca.crt
{{- end -}}
{{- end -}}

{{- define "faultline.kafkaCaVolumeMount" -}}
{{- if include "faultline.kafkaCaMounted" . -}}
- name: kafka-tls-ca
  mountPath: {{ include "faultline.kafkaCaDir" . }}
  readOnly: true
{{- end -}}
{{- end -}}

{{/* Whether the chart must create a Secret: for each connection without an existingSecret. */}}
{{- define "faultline.createSecret" -}}
{{- if or (not .Values.clickhouse.existingSecret) (and .Values.redis.password (not .Values.redis.existingSecret)) (and .Values.kafka.sasl.mechanism .Values.kafka.sasl.password (not .Values.kafka.sasl.existingSecret)) -}}true{{- end -}}
{{- end -}}

{{/* The Secret's data, shared by the release Secret and the hook Jobs' Secret. */}}
{{- define "faultline.secretData" -}}
{{- if not .Values.clickhouse.existingSecret }}
clickhouse-password: {{ .Values.clickhouse.password | b64enc | quote }}
{{- end }}
{{- if and .Values.redis.password (not .Values.redis.existingSecret) }}
redis-password: {{ .Values.redis.password | b64enc | quote }}
{{- end }}
{{- if and .Values.kafka.sasl.mechanism .Values.kafka.sasl.password (not .Values.kafka.sasl.existingSecret) }}
kafka-sasl-password: {{ .Values.kafka.sasl.password | b64enc | quote }}
{{- end }}
{{- end -}}
