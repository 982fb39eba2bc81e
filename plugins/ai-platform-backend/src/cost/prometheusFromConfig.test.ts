import { ConfigReader } from '@backstage/config';
import { sloPrometheusFromConfig } from '../slo/sloPrometheus';
import { prometheusFromConfig } from './prometheusFromConfig';

const config = (prometheus?: object) =>
  new ConfigReader({ aiPlatform: { cost: prometheus ? { prometheus } : {} } });

describe('prometheusFromConfig', () => {
  it('is undefined without any Prometheus', () => {
    expect(prometheusFromConfig(config())).toBeUndefined();
    expect(sloPrometheusFromConfig(config())('gpu-us-east')).toBeUndefined();
  });

  it('gives each cluster its own Prometheus, and the others the default one', () => {
    const c = config({
      url: 'http://prometheus:9090',
      clusters: { 'gpu-us-east': { url: 'http://east:9090/' } },
      headers: { Authorization: 'Bearer x' },
    });
    const clients = prometheusFromConfig(c)!;
    expect([...clients.keys()]).toEqual(['*', 'gpu-us-east']);
    expect(clients.get('gpu-us-east')!.url).toBe('http://east:9090/');
    const slo = sloPrometheusFromConfig(c);
    expect(slo('gpu-us-east')?.url).toBe('http://east:9090/');
    expect(slo('gpu-eu-west')?.url).toBe('http://prometheus:9090');
  });

  it('has no default when only clusters are named', () => {
    const slo = sloPrometheusFromConfig(
      config({ clusters: { 'gpu-us-east': { url: 'http://east:9090' } } }),
    );
    expect(slo('gpu-eu-west')).toBeUndefined();
  });
});
