import sys, collections
f=sys.argv[1]; n=int(sys.argv[2]) if len(sys.argv)>2 else 40
flt=sys.argv[3] if len(sys.argv)>3 else None
tot=0; self_=collections.Counter(); incl=collections.Counter()
for line in open(f):
    line=line.rstrip('\n')
    if not line: continue
    stack,c=line.rsplit(' ',1); c=int(c)
    frames=stack.split(';')
    if flt and not any(flt in x for x in frames): continue
    tot+=c
    self_[frames[-1]]+=c
    for fr in set(frames): incl[fr]+=c
print("total",tot)
print("--- self")
for k,v in self_.most_common(n): print(f"{100*v/tot:5.1f}% {k}")
print("--- inclusive")
for k,v in incl.most_common(n): print(f"{100*v/tot:5.1f}% {k}")
