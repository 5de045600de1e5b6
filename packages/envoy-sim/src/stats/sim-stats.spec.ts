import { renderStatsJson, renderStatsPrometheus, renderStatsText, scopes, SimStats } from './sim-stats';

describe(SimStats.name, () => {
  function sample(): SimStats {
    const sut = new SimStats();
    sut.inc(scopes.plain('cluster_manager.cds.'), 'update_success', 2);
    sut.declare('counter', scopes.plain('cluster_manager.cds.'), 'update_rejected');
    sut.set(scopes.plain('control_plane.'), 'connected_state', 1);
    sut.text(scopes.plain('cluster_manager.cds.'), 'version_text', 'v7');
    sut.inc(scopes.cluster('backend'), 'update_success');
    sut.inc(scopes.cluster('api:v2'), 'update_success');
    sut.inc(scopes.rds('ingress', 'routes'), 'update_rejected');
    return sut;
  }

  it('renders /stats as sorted name: value lines, quoting text readouts', () => {
    expect(renderStatsText(sample())).toBe(
      [
        'cluster.api_v2.update_success: 1',
        'cluster.backend.update_success: 1',
        'cluster_manager.cds.update_rejected: 0',
        'cluster_manager.cds.update_success: 2',
        'cluster_manager.cds.version_text: "v7"',
        'control_plane.connected_state: 1',
        'http.ingress.rds.routes.update_rejected: 1',
        '',
      ].join('\n'),
    );
  });

  it('filters by regex and by use', () => {
    expect(renderStatsText(sample(), { filter: /^cluster_manager/, usedOnly: true })).toBe(
      'cluster_manager.cds.update_success: 2\ncluster_manager.cds.version_text: "v7"\n',
    );
    expect(JSON.parse(renderStatsJson(sample(), { filter: /connected_state/ }))).toEqual({
      stats: [{ name: 'control_plane.connected_state', value: 1 }],
    });
  });

  it("renders Prometheus families with Envoy's tag extraction and no text readouts", () => {
    expect(renderStatsPrometheus(sample())).toBe(
      [
        '# TYPE envoy_cluster_manager_cds_update_rejected counter',
        'envoy_cluster_manager_cds_update_rejected 0',
        '# TYPE envoy_cluster_manager_cds_update_success counter',
        'envoy_cluster_manager_cds_update_success 2',
        '# TYPE envoy_cluster_update_success counter',
        'envoy_cluster_update_success{envoy_cluster_name="api_v2"} 1',
        'envoy_cluster_update_success{envoy_cluster_name="backend"} 1',
        '# TYPE envoy_control_plane_connected_state gauge',
        'envoy_control_plane_connected_state 1',
        '# TYPE envoy_http_rds_update_rejected counter',
        'envoy_http_rds_update_rejected{envoy_http_conn_manager_prefix="ingress",envoy_rds_route_config="routes"} 1',
        '',
      ].join('\n'),
    );
  });
});
