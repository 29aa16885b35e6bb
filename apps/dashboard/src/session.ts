import { createContext, useContext } from 'react';
import type { Me } from './types.js';

/** The signed-in user, for screens that decide what to offer (accept, vote, moderate). */
export const MeContext = createContext<Me | null>(null);

export function useMe(): Me | null {
  return useContext(MeContext);
}
