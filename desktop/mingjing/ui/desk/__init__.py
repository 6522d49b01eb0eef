"""汇总与会诊: the office's desk — campaign and roster, hand-ins, opinions, problem lists, 会诊."""
