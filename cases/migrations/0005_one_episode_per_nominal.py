"""Every nominal recorded so far gets one episode: from the start of their first period to the end
of their last, closed where they have exited. Their periods and their exit belong to it."""

from django.db import migrations
from django.db.models import Max, Min, OuterRef, Subquery


def one_episode_each(apps, schema_editor):
    Nominal = apps.get_model("cases", "Nominal")
    Episode = apps.get_model("cases", "Episode")
    CategoryPeriod = apps.get_model("cases", "CategoryPeriod")
    LevelPeriod = apps.get_model("cases", "LevelPeriod")
    Exit = apps.get_model("cases", "Exit")
    nominals = Nominal.objects.annotate(first=Min("category_periods__start"), last=Max("category_periods__end"))
    episodes = [
        Episode(
            nominal_id=nominal.pk,
            start=nominal.first or nominal.created_at.date(),
            end=nominal.last if nominal.status == "exited" else None,
            reason="Recorded before episodes were kept.",
        )
        for nominal in nominals.only("pk", "status", "created_at").iterator(chunk_size=5000)
    ]
    Episode.objects.bulk_create(episodes, batch_size=5000)
    episode = Subquery(Episode.objects.filter(nominal_id=OuterRef("nominal_id")).values("pk")[:1])
    for model in (CategoryPeriod, LevelPeriod, Exit):
        model.objects.update(episode=episode)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_episodes_offences_and_eligibility_dates")]

    operations = [migrations.RunPython(one_episode_each, migrations.RunPython.noop)]
