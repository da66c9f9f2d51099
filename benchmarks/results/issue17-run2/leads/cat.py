import collections,sys
tot=0; cat=collections.Counter(); pvm=collections.Counter()
for line in open(sys.argv[1]):
    stack,c=line.rstrip().rsplit(' ',1); c=int(c); tot+=c
    fr=stack.split(';')
    s=stack
    if 'CompileBroker' in s: k='jit'
    elif 'G1' in s or 'GC' in fr[0] or 'Gang' in s or 'ConcurrentGC' in s: k='gc'
    elif 'DeliveryThreads$Worker.spin' in s: k='delivery-spin'
    elif 'DeliveryThreads' in s: k='delivery'
    elif 'OrderHandlers.transition' in s: k='transition-req'
    elif 'HttpConnection.onFillable' in s or 'fillInterested' in s: k='jetty-request-other'
    elif 'ManagedSelector' in s or 'epoll' in s: k='selector'
    elif 'Thread.run' in s: k='other-java:'+ (fr[1] if len(fr)>1 else '')
    else: k='other-native:'+fr[0]
    cat[k]+=c
    if fr[-1]=='pvm_irq_enable_[k]':
        pvm[k]+=c
print("samples",tot)
for k,v in cat.most_common(30): print(f"{100*v/tot:5.1f}% {k}  (kernel-ish {100*pvm[k]/tot:.1f}%)")
