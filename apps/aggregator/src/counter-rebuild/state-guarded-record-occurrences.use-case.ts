import type { IssueRecord, OccurrenceMessage } from '@faultline/contracts';
import { RecordOccurrencesUseCase } from '../record-occurrences/record-occurrences.use-case';
import type { RedisStateGuard } from './redis-state.guard';

/**
 * The aggregator's RecordOccurrencesUseCase with the Redis state check in front (one EXISTS per
 * batch; a rebuild when Redis came back empty, see RedisStateGuard). The check runs before the
 * batch's ClickHouse insert, so the rebuild does not yet see the batch, and the batch then creates,
 * counts and regresses its issues exactly as it would have without the loss (with its events).
 */
export class StateGuardedRecordOccurrencesUseCase extends RecordOccurrencesUseCase {
  constructor(
    private readonly stateGuard: RedisStateGuard,
    ...useCase: ConstructorParameters<typeof RecordOccurrencesUseCase>
  ) {
    super(...useCase);
  }

  override async execute(messages: readonly OccurrenceMessage[]): Promise<IssueRecord[]> {
    if (messages.length > 0) await this.stateGuard.ensureState();
    return super.execute(messages);
  }
}
