{{/*
Labels of every object: the same app.kubernetes.io labels as a Flux
installation (instance = namespace, part-of = flux, so `flux check` finds the
controllers), plus Helm's own labels and commonLabels.
Call with (dict "ctx" $ "component" "source-controller"); component may be "".
*/}}
{{- define "fluxcpp.labels" -}}
app.kubernetes.io/instance: {{ .ctx.Release.Namespace }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
app.kubernetes.io/part-of: flux
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels of a controller pod template (no Helm labels, so upgrading the chart
alone does not restart the pods). Call with (dict "ctx" $ "name" "..." "values" ...).
*/}}
{{- define "fluxcpp.podLabels" -}}
app: {{ .name }}
app.kubernetes.io/component: {{ .name }}
app.kubernetes.io/instance: {{ .ctx.Release.Namespace }}
app.kubernetes.io/part-of: flux
{{- with .values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Image reference of a controller. Call with (dict "ctx" $ "name" "..." "values" ...).
*/}}
{{- define "fluxcpp.image" -}}
{{- $repo := .values.image.repository | default (printf "%s/%s" .ctx.Values.image.registry .name) -}}
{{- $tag := .values.image.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end }}

{{/*
Address the controllers post their events to (--events-addr), or "".
*/}}
{{- define "fluxcpp.eventsAddr" -}}
{{- if .Values.eventsAddr -}}
{{- .Values.eventsAddr -}}
{{- else if .Values.notificationController.create -}}
{{- printf "http://notification-controller.%s.svc.%s./" .Release.Namespace .Values.clusterDomain -}}
{{- end -}}
{{- end }}

{{/*
Arguments every controller gets, in Flux's order. Call with
(dict "ctx" $ "values" ... "events" true|false).
*/}}
{{- define "fluxcpp.commonArgs" -}}
{{- $events := include "fluxcpp.eventsAddr" .ctx -}}
{{- if and .events $events }}
- --events-addr={{ $events }}
{{- end }}
{{- if .ctx.Values.watchAllNamespaces }}
- --watch-all-namespaces
{{- else }}
- --watch-all-namespaces=false
{{- end }}
- --log-level={{ .values.logLevel | default .ctx.Values.logLevel }}
- --log-encoding={{ .ctx.Values.logEncoding }}
{{- if .ctx.Values.leaderElection }}
- --enable-leader-election
{{- end }}
{{- end }}

{{/*
Arguments after the controller-specific ones: --concurrent and extraArgs.
*/}}
{{- define "fluxcpp.tailArgs" -}}
{{- if .values.concurrent }}
- --concurrent={{ .values.concurrent }}
{{- end }}
{{- range .values.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/*
Pod spec fields shared by every controller (scheduling, pull secrets, pod
security context). Call with the root context.
*/}}
{{- define "fluxcpp.podCommon" -}}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Controller Service accounts that exist in this release.
*/}}
{{- define "fluxcpp.controllers" -}}
{{- $names := list -}}
{{- if .Values.sourceController.create }}{{ $names = append $names "source-controller" }}{{ end -}}
{{- if .Values.kustomizeController.create }}{{ $names = append $names "kustomize-controller" }}{{ end -}}
{{- if .Values.notificationController.create }}{{ $names = append $names "notification-controller" }}{{ end -}}
{{- join "," $names -}}
{{- end }}
