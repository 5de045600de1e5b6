import { filterPrometheusText } from './prometheus-filter';

const STATS = [
  '# TYPE envoy_cluster_upstream_rq_total counter',
  'envoy_cluster_upstream_rq_total{envoy_cluster_name="web"} 12',
  'envoy_cluster_upstream_rq_total{envoy_cluster_name="api"} 3',
  '# TYPE envoy_server_live gauge',
  'envoy_server_live{} 1',
  '',
].join('\n');

describe(filterPrometheusText.name, () => {
  it('keeps the samples and TYPE lines of the matching metrics only', () => {
    expect(filterPrometheusText(STATS, /upstream_rq/)).toBe(
      [
        '# TYPE envoy_cluster_upstream_rq_total counter',
        'envoy_cluster_upstream_rq_total{envoy_cluster_name="web"} 12',
        'envoy_cluster_upstream_rq_total{envoy_cluster_name="api"} 3',
        '',
      ].join('\n'),
    );
  });

  it('matches on the metric name, not on label values', () => {
    expect(filterPrometheusText(STATS, /web/)).toBe('');
    expect(filterPrometheusText(STATS, /^envoy_server_live$/)).toBe(
      '# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n',
    );
  });
});
