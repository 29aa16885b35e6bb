import { Injectable } from '@nestjs/common';

/** Waiting, behind a class so tests do not sleep. */
@Injectable()
export class Sleeper {
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
