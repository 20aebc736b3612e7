// org.apache.kafka.connect.transforms.Filter: drops every record it sees — used with a predicate, so it drops the
// records the predicate matches (or, negated, those it does not).
import { ConfigDef } from '../../config/config-def.ts'
import type { Transformation } from '../transformation.ts'

export const FILTER = 'org.apache.kafka.connect.transforms.Filter'

const configDef = new ConfigDef()

export class Filter implements Transformation {
  readonly configDef = configDef

  configure(): void {}

  apply(): null {
    return null
  }
}
