import { performance } from 'node:perf_hooks';
import { openSealedJson } from '@envoy-fleet/domain';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import type { WebhookMetrics } from '../metrics/webhook-metrics';
import type { ClaimedAttempt, DeliveryQueue } from '../queue/delivery-queue';
import { type AttemptResult, judgeAttempt } from './attempt-verdict';
import type { RetrySchedule } from './retry-schedule';
import { type TargetPolicy, TargetRefusedError } from './target-policy';
import { signedHeaders } from './webhook-signature';
import type { WebhookSender } from './webhook-sender';

export interface AttemptRunnerOptions {
  readonly queue: DeliveryQueue;
  readonly sender: WebhookSender;
  readonly policy: TargetPolicy;
  /** The api's SECRET_ENCRYPTION_KEY; null when the dispatcher was started without it. */
  readonly secretKey: Buffer | null;
  readonly schedule: RetrySchedule;
  readonly metrics: WebhookMetrics;
  readonly logger: MessagingLogger;
}

const tracer = trace.getTracer('@envoy-fleet/webhook-dispatcher');

/**
 * Sends one claimed attempt and records it: opens the subscription's signing secret, checks the URL,
 * signs the event per Standard Webhooks, posts it, judges the answer and writes the verdict (and the
 * next attempt, if any), inside a span per delivery attempt.
 */
export class AttemptRunner {
  constructor(private readonly options: AttemptRunnerOptions) {}

  run(claimed: ClaimedAttempt): Promise<void> {
    const attributes = {
      'webhook.subscription.id': claimed.subscriptionId,
      'webhook.event.id': claimed.eventId,
      'webhook.event.type': claimed.eventType,
      'webhook.attempt': claimed.attempt,
      'envoy_fleet.tenant.id': claimed.tenantId,
    };
    return tracer.startActiveSpan('webhook deliver', { attributes }, async (span) => {
      try {
        await this.deliver(claimed, span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        this.options.logger.error(
          { ...fieldsOf(claimed), err: error },
          'cannot record a webhook attempt; it is sent again when its lease runs out',
        );
      } finally {
        span.end();
      }
    });
  }

  private async deliver(claimed: ClaimedAttempt, span: Span): Promise<void> {
    const started = performance.now();
    const result = await this.send(claimed);
    const durationMs = Math.round(performance.now() - started);
    const verdict = judgeAttempt(result, {
      attempt: claimed.attempt,
      maxAttempts: claimed.maxAttempts,
      schedule: this.options.schedule,
      now: new Date(),
    });
    const status = result.kind === 'response' ? result.status : null;
    span.setAttribute('webhook.result', verdict.status);
    if (status !== null) span.setAttribute('http.response.status_code', status);
    if (verdict.status !== 'succeeded') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: verdict.error });
    }
    const recorded = await this.options.queue.record(claimed, {
      verdict,
      // The column holds what HTTP defines; another code is named in the error instead.
      responseStatus: status !== null && status >= 100 && status <= 599 ? status : null,
      responseBody: result.kind === 'response' ? result.body : null,
      durationMs,
    });
    this.options.metrics.attempted(verdict.status, durationMs);
    if (!recorded) {
      this.options.logger.warn(
        fieldsOf(claimed),
        'a webhook attempt changed while it was sent (its lease ran out, or its subscription was deleted); its outcome is not recorded',
      );
    } else if (verdict.status === 'dead_lettered') {
      this.options.logger.warn(
        { ...fieldsOf(claimed), err: verdict.error },
        'a webhook delivery was dead-lettered; replay it once the receiver is fixed',
      );
    }
  }

  private async send(claimed: ClaimedAttempt): Promise<AttemptResult> {
    try {
      const url = this.options.policy.checkUrl(claimed.url);
      const secret = this.openSecret(claimed);
      const body = JSON.stringify(claimed.payload);
      const headers = signedHeaders(secret, claimed.eventId, new Date(), body);
      return await this.options.sender.send({ url, headers, body });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'error', error: message, refused: error instanceof TargetRefusedError };
    }
  }

  private openSecret(claimed: ClaimedAttempt): string {
    const { secretKey } = this.options;
    if (secretKey === null) {
      throw new Error('cannot sign: SECRET_ENCRYPTION_KEY is not set on the webhook-dispatcher');
    }
    let opened;
    try {
      opened = openSealedJson(claimed.sealedSecret, secretKey, claimed.tenantId);
    } catch (error) {
      throw new Error(
        `cannot open the signing secret (is SECRET_ENCRYPTION_KEY the api's?): ${(error as Error).message}`,
        { cause: error },
      );
    }
    const { secret } = opened;
    if (typeof secret !== 'string') throw new Error('the sealed signing secret holds no "secret"');
    return secret;
  }
}

function fieldsOf(claimed: ClaimedAttempt) {
  return {
    deliveryId: claimed.id,
    tenantId: claimed.tenantId,
    subscriptionId: claimed.subscriptionId,
    eventId: claimed.eventId,
    attempt: claimed.attempt,
  };
}
