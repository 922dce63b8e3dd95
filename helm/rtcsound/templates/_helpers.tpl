{{- define "rtcsound.labels" -}}
app.kubernetes.io/name: rtcsound
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rtcsound.odConfigNamespace" -}}
{{- default .Release.Namespace .Values.odConfig.namespace }}
{{- end }}

{{- /* host:port of this release's Service as abcdesktop's nginx reaches it. */ -}}
{{- define "rtcsound.upstream" -}}
{{- $routes := .Values.abcdesktop.routes }}
{{- default (printf "%s.%s.svc.%s:%v" .Release.Name .Release.Namespace $routes.clusterDomain .Values.service.httpPort) $routes.upstream }}
{{- end }}
