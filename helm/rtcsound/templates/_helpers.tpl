{{- define "rtcsound.labels" -}}
app.kubernetes.io/name: rtcsound
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rtcsound.odConfigNamespace" -}}
{{- default .Release.Namespace .Values.odConfig.namespace }}
{{- end }}
