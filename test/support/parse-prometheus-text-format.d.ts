/** Types for parse-prometheus-text-format (it ships none): the families of a Prometheus text exposition. */
declare module 'parse-prometheus-text-format' {
  export interface PrometheusSample {
    /** The sample's value as written (`1`, `0.08`, `NaN`). */
    value: string;
    labels?: Record<string, string>;
    timestamp_ms?: string;
  }

  export interface PrometheusFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED';
    metrics: PrometheusSample[];
  }

  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
